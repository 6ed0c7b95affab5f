"""The stores' HTTP views: platform webhooks (``webhooks``) and the pages of the dispatch
center and store connections (``pages``)."""

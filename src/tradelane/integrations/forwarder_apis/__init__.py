"""The forwarder TMS APIs seller ERPs already speak (ECCANG TMS and Hualei TMS), answered by
Tradelane's own waybill services: a customer's ERP connects with the credentials its provider
issues, without new code on either side."""

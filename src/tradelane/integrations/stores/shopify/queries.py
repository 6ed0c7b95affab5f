"""The GraphQL documents the Shopify client sends (Admin API, version ``client.API_VERSION``).

Every document stays within Shopify's single-query limit of 1,000 requested points by the
published rule (``cost.py``); ``tests/test_shopify_cost.py`` proves it for each document with
the variables the connector sends. The page sizes live here, beside the documents they size:

    order node        = 1 + customer (1 + email 1 + phone 1) + shippingAddress 1
                        + 5 money bags x (MoneyBag 1 + shopMoney 1) + lineItems
    lineItems(first: 10) = 2 + 10 x (LineItem 1 + originalUnitPriceSet 2) = 32
    orders(first: 20)    = 2 + 20 x (15 + 32) = 942 points

An order with more than ``LINES_PER_ORDER`` lines has the rest read by ``ORDER_LINE_ITEMS``
(nested paging). The first import of a store's history runs as a bulk operation
(``BULK_ORDERS``), which has no cost limit: https://shopify.dev/docs/api/usage/bulk-operations/queries
"""

ORDERS_PER_PAGE = 20
LINES_PER_ORDER = 10
LINES_PER_PAGE = 100  # nested paging of one order's lines: 1 + 2 + 100 x 3 = 303 points

# Customer.email / Customer.phone are deprecated for defaultEmailAddress / defaultPhoneNumber:
# https://shopify.dev/docs/api/admin-graphql/latest/objects/Customer
CUSTOMER_FIELDS = """
  customer { firstName lastName defaultEmailAddress { emailAddress }
             defaultPhoneNumber { phoneNumber } }"""

ORDER_SCALARS = (
    """
  id legacyResourceId name createdAt updatedAt cancelledAt note
  displayFinancialStatus currencyCode email phone"""
    + CUSTOMER_FIELDS
    + """
  shippingAddress { name firstName lastName company address1 address2 city province
                    provinceCode zip countryCodeV2 phone }
  subtotalPriceSet { shopMoney { amount currencyCode } }
  totalShippingPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount currencyCode } }
  totalDiscountsSet { shopMoney { amount currencyCode } }
  totalPriceSet { shopMoney { amount currencyCode } }
"""
)

LINE_FIELDS = "id sku title quantity originalUnitPriceSet { shopMoney { amount currencyCode } }"

ORDER_FIELDS = (
    ORDER_SCALARS
    + """
  lineItems(first: $lines) {
    pageInfo { hasNextPage endCursor }
    nodes { """
    + LINE_FIELDS
    + """ }
  }
"""
)

ORDERS = (
    """
query Orders($first: Int!, $after: String, $query: String, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {"""
    + ORDER_FIELDS
    + """}
  }
}
"""
)

ORDER = (
    """
query Order($id: ID!, $lines: Int!) {
  order(id: $id) {"""
    + ORDER_FIELDS
    + """}
}
"""
)

ORDER_LINE_ITEMS = (
    """
query OrderLineItems($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    id
    lineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { """
    + LINE_FIELDS
    + """ }
    }
  }
}
"""
)

# The bulk form of the order query: no page sizes (a bulk query's connections are read whole);
# nested line items come back as their own JSONL lines with ``__parentId``.
BULK_ORDER_QUERY = (
    """
{
  orders(query: "__SEARCH__") {
    edges { node {"""
    + ORDER_SCALARS
    + """
      lineItems { edges { node { """
    + LINE_FIELDS
    + """ } } }
    } }
  }
}
"""
)

BULK_RUN = """
mutation BulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""

BULK_STATUS = """
query BulkOperation($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode createdAt objectCount rootObjectCount url partialDataUrl
  }
}
"""

# Fulfilment state of one order: its fulfilment orders (status, holds, assigned location and
# remaining line items) and the fulfilments made (with what they hold, so that a retry after a
# lost answer sends only what is still missing).
#   1 + fulfillmentOrders(first: 5) 2 + 5 x (1 + holds 1 + assignedLocation 1 + location 1
#       + lineItems(first: 25) (2 + 25 x (1 + lineItem 1)))   = 1 + 2 + 5 x 56 = 283
#     + fulfillments(first: 5) 5 x (1 + trackingInfo 1 + fulfillmentLineItems(first: 25)
#       (2 + 25 x (1 + lineItem 1)))                         = 5 x 54 = 270 (a list: no 2)
FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 5) {
      nodes {
        id status fulfillAt
        fulfillmentHolds { reason reasonNotes }
        assignedLocation { location { id } }
        lineItems(first: 25) { nodes { id remainingQuantity lineItem { id sku } } }
      }
    }
    fulfillments(first: 5) {
      id status trackingInfo { company number url }
      fulfillmentLineItems(first: 25) { nodes { quantity lineItem { id sku } } }
    }
  }
}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo { company number url } }
    userErrors { field message }
  }
}
"""

TRACKING_UPDATE = """
mutation FulfillmentTrackingInfoUpdate($fulfillmentId: ID!,
    $trackingInfoInput: FulfillmentTrackingInput!, $notifyCustomer: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $fulfillmentId,
      trackingInfoInput: $trackingInfoInput, notifyCustomer: $notifyCustomer) {
    fulfillment { id status trackingInfo { company number url } }
    userErrors { field message }
  }
}
"""

# Since 2026-04 every quantity carries ``changeFromQuantity`` (null: no compare-and-swap) and
# the mutation needs the @idempotent directive:
# https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventorySetQuantities
# https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations
INVENTORY_SET = """
mutation InventorySet($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { reason changes { name delta } }
    userErrors { code field message }
  }
}
"""

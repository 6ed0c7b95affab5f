"""The vendors' own paths, at the site's root: ECCANG's ``/default/svc/web-service`` and
Hualei's ``/selectAuth.htm`` and friends (an ERP is given this site as the forwarder's URL),
and the provider staff's page that issues those credentials."""

from django.urls import path

from . import eccang, hualei, label_links, views

app_name = "forwarder_apis"

urlpatterns = [
    path("default/svc/web-service", eccang.web_service, name="eccang"),
    path("default/svc/wsdl", eccang.wsdl, name="eccang_wsdl"),
    path("selectAuth.htm", hualei.select_auth, name="hualei_auth"),
    path("createOrderApi.htm", hualei.create_order, name="hualei_create"),
    path("getOrderTrackingNumber.htm", hualei.tracking_number, name="hualei_number"),
    path("selectTrack.htm", hualei.select_track, name="hualei_track"),
    path("getProductList.htm", hualei.product_list, name="hualei_products"),
    path("order/FastRpt/PDF_NEW.aspx", hualei.print_label, name="hualei_label"),
    path("tms-labels/<str:token>.pdf", label_links.label, name="label"),
    # the provider staff's page of one customer's ERP credentials
    path(
        "provider/customers/<str:code>/tms-credentials/",
        views.tms_credentials,
        name="tms_credentials",
    ),
    path(
        "provider/customers/<str:code>/tms-credentials/<int:pk>/revoke/",
        views.tms_credential_revoke,
        name="tms_credential_revoke",
    ),
]

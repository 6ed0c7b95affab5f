"""Labels for the codes the domain stores and raises, beyond the order words in ``labels``.

The domain keeps stable codes: rate-shop refusals (``battery_not_accepted``), error codes
(``channel_refused``), import row errors and field names (``lines[0].quantity``), the reasons
services write on state events (``carrier: delivered``), event sources (``manual``), tracking
statuses and the carriers' sub-statuses (``InTransit_PickedUp``), customs terms (``cn23``,
``DDP``). Each has one lazily translated label here; ``labels.REGISTRY`` joins these tables with
the ones in ``labels`` into the one registry the ``code`` template filter reads. Country names
come from pycountry's own gettext catalogue.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from functools import lru_cache

import pycountry
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

# --- errors raised by services (``core.errors``), beyond ``labels.ERROR`` -----------------------

ERROR = {
    "already_connected": gettext_lazy("The store is connected already."),
    "already_in_shipment": gettext_lazy("Already in an active shipment."),
    "already_resolved": gettext_lazy("This exception is already resolved."),
    "api_key_not_found": gettext_lazy("The API key does not exist."),
    "cannot_change_self": gettext_lazy(
        "You cannot do this to your own account; ask another admin."
    ),
    "cannot_rate_shop": gettext_lazy("Some orders cannot be rate-shopped."),
    "carrier_error": gettext_lazy("The carrier refused or failed the request."),
    "carrier_auth_failed": gettext_lazy("The carrier refused the account's credentials."),
    "carrier_refused": gettext_lazy("The carrier refused the request."),
    "carrier_rate_limited": gettext_lazy("The carrier asks us to slow down; try again shortly."),
    "carrier_unavailable": gettext_lazy("The carrier's service is unavailable; try again later."),
    "carrier_lookup_failed": gettext_lazy("The carrier could not look up the reference."),
    "carrier_no_label": gettext_lazy("The carrier returned no shipment."),
    "carrier_not_supported": gettext_lazy("No connection to this carrier is installed."),
    "carrier_outcome_unknown": gettext_lazy(
        "The carrier did not confirm the label purchase; it may have been made. "
        "Retry the same request: it will not buy a second label."
    ),
    "carrier_timeout": gettext_lazy("The carrier did not answer in time."),
    "carrier_tls_error": gettext_lazy("The carrier's TLS certificate failed verification."),
    "carrier_unreachable": gettext_lazy("The carrier cannot be reached."),
    "carrier_void_refused": gettext_lazy("The carrier did not confirm the cancellation."),
    "channel_inactive": gettext_lazy("The channel is not active."),
    "channel_not_found": gettext_lazy("Unknown channel."),
    "channel_refused": gettext_lazy("The channel cannot carry this parcel."),
    "code_fixed": gettext_lazy("A channel's code does not change."),
    "currency_mismatch": gettext_lazy("Amounts in different currencies cannot be combined."),
    "currency_required": gettext_lazy("A declared value needs its currency."),
    "decryption_failed": gettext_lazy(
        "Stored credentials cannot be read with this installation's key."
    ),
    "disconnected": gettext_lazy("The store is disconnected."),
    "duplicate": gettext_lazy("This exists already."),
    "duplicate_code": gettext_lazy("This code is already taken."),
    "duplicate_name": gettext_lazy("A template with this name exists."),
    "duplicate_sheet": gettext_lazy("A sheet of this kind, level and date exists"),
    "duplicate_username": gettext_lazy("This user name is already taken."),
    "email_or_phone_required": gettext_lazy("Give the buyer's email or phone."),
    "empty_file": gettext_lazy("The file has no header row."),
    "empty_package": gettext_lazy("The package has no lines."),
    "exception_not_found": gettext_lazy("The tracking exception does not exist."),
    "field_fixed": gettext_lazy("These fields cannot be changed."),
    "file_limit_exceeded": gettext_lazy("The file is over an import limit. Nothing was imported."),
    "future_event": gettext_lazy("The event is in the future."),
    "fx_rate_missing": gettext_lazy("An exchange rate is missing."),
    "image_too_large": gettext_lazy("The picture is too large."),
    "import_failed": gettext_lazy("The rate sheet has errors; nothing was imported"),
    "invalid_amount": gettext_lazy("Not a valid amount."),
    "invalid_barcode_data": gettext_lazy("The number cannot be printed as a barcode."),
    "invalid_category": gettext_lazy("Unknown customs category."),
    "invalid_choice": gettext_lazy("Not one of the choices"),
    "invalid_country": gettext_lazy("Unknown country (use a two-letter ISO code)."),
    "invalid_credentials": gettext_lazy("The credentials are not in the expected form."),
    "invalid_currency": gettext_lazy("Unknown currency (use a three-letter ISO code)."),
    "invalid_date": gettext_lazy("Not a date"),
    "invalid_datetime": gettext_lazy("Not a date and time."),
    "invalid_dimension": gettext_lazy("A length is negative or too large."),
    "invalid_entity": gettext_lazy("Unknown kind of data for a spreadsheet."),
    "invalid_image": gettext_lazy("The file is not a PNG, JPEG, GIF or WebP image."),
    "invalid_incoterm": gettext_lazy("The incoterm is DDP or DDU."),
    "invalid_ioss_number": gettext_lazy("An IOSS number is IM followed by 10 digits."),
    "invalid_kind": gettext_lazy("Unknown warehouse kind."),
    "invalid_label_size": gettext_lazy("Unknown label size."),
    "invalid_mapping": gettext_lazy("The column mapping is not valid."),
    "invalid_mode": gettext_lazy("Unknown mode."),
    "invalid_name": gettext_lazy("A template needs a name of 1 to 100 characters."),
    "invalid_parcel": gettext_lazy("The parcel's weight, size or value is not valid."),
    "invalid_password_link": gettext_lazy(
        "This link is wrong, used or expired; ask an admin for a new one."
    ),
    "invalid_pieces": gettext_lazy("The piece numbers are impossible."),
    "invalid_platform": gettext_lazy("Unknown platform."),
    "invalid_platform_warehouse": gettext_lazy("Choose a platform warehouse (e.g. FBA)."),
    "invalid_s10": gettext_lazy("An S10 prefix and country are two letters each."),
    "invalid_s10_country": gettext_lazy("An S10 country is a two-letter ISO code."),
    "invalid_s10_prefix": gettext_lazy("An S10 prefix is two letters, e.g. LX"),
    "invalid_s10_range": gettext_lazy("Serial numbers run from 1 to 99999999."),
    "invalid_s10_serial": gettext_lazy("An S10 serial number is 8 digits."),
    "invalid_settings": gettext_lazy("The store settings are not valid."),
    "invalid_sheet": gettext_lazy("Choose the cost sheet or a sale sheet and its level."),
    "invalid_source": gettext_lazy("Unknown event source."),
    "invalid_status": gettext_lazy("Unknown status."),
    "invalid_stock_mode": gettext_lazy("Unknown stock mode."),
    "invalid_tracking_number": gettext_lazy("A label needs a tracking number in Latin letters."),
    "invalid_unit": gettext_lazy("Unknown unit."),
    "invalid_username": gettext_lazy(
        "A user name is at most 150 letters, digits and @ . + - _ characters."
    ),
    "invalid_warehouse_priority": gettext_lazy(
        "The warehouse priority names warehouses that do not ship orders."
    ),
    "invalid_weight": gettext_lazy("The weight must be above 0 and not too large."),
    "job_not_found": gettext_lazy("The job does not exist."),
    "labels_unavailable": gettext_lazy("Some shipments have no label to print."),
    "ledger_mismatch": gettext_lazy("The stock ledger and the balance disagree."),
    "manifest_empty": gettext_lazy("Nothing shipped that day waits for a manifest."),
    "manifest_not_found": gettext_lazy("The manifest does not exist."),
    "max_days_required": gettext_lazy("Cheapest within days needs the number of days."),
    "missing_credentials": gettext_lazy("Some credentials are missing."),
    "naive_datetime": gettext_lazy("Event times must carry a time zone."),
    "name_required": gettext_lazy("Give a name."),
    "no_carrier_account": gettext_lazy("The channel has no carrier account."),
    "no_channel": gettext_lazy("No channel: rate-shop it first or pick a channel."),
    "no_components": gettext_lazy("Map to at least one SKU."),
    "no_customs_document": gettext_lazy("No separate customs document: the CN22 is on the label."),
    "no_items": gettext_lazy("The shipment has no customs lines."),
    "no_labels": gettext_lazy("No label to print."),
    "no_locations": gettext_lazy("No warehouse is mapped to a platform location."),
    "not_a_number": gettext_lazy("Not a number"),
    "not_connected": gettext_lazy("The store is not connected."),
    "not_dead": gettext_lazy("Only a dead message can be replayed."),
    "not_excel": gettext_lazy("Upload an Excel workbook (.xlsx)"),
    "not_failed": gettext_lazy("Only a failed run or webhook can be retried."),
    "not_whole_unit": gettext_lazy("Must be a whole number of grams or millimetres"),
    "nothing_to_ship": gettext_lazy("Nothing to ship."),
    "nothing_to_shop": gettext_lazy("Nothing to rate-shop."),
    "order_not_allocated": gettext_lazy("Only allocated orders (pending shipment) can ship."),
    "order_rejected": gettext_lazy("The order was refused."),
    "package_not_found": gettext_lazy("Some packages do not exist."),
    "package_not_open": gettext_lazy("Some packages are not open."),
    "parcel_weight_zero": gettext_lazy(
        "The parcel weighs nothing: give the SKUs a weight or weigh the parcel."
    ),
    "parcels_for_one": gettext_lazy("Measured parcels apply to one shipment at a time."),
    "product_not_found": gettext_lazy("The product does not exist."),
    "push_stock_off": gettext_lazy("Stock push is off in the store's settings."),
    "required": gettext_lazy("This field is required."),
    "resolution_required": gettext_lazy("Say how it was resolved."),
    "rule_not_found": gettext_lazy("The shipping rule does not exist."),
    "threshold_not_found": gettext_lazy("The customs threshold does not exist."),
    "number_not_found": gettext_lazy("The customs number does not exist."),
    "s10_series_exhausted": gettext_lazy("The channel's S10 number series is used up."),
    "s10_series_missing": gettext_lazy("No S10 number series is configured for the channel."),
    "same_warehouse": gettext_lazy("Pick two different warehouses."),
    "sheet_not_found": gettext_lazy("The rate sheet does not exist."),
    "shipment_not_found": gettext_lazy("The shipment does not exist."),
    "shipment_not_tracked": gettext_lazy("A shipment without a valid label has no last mile."),
    "sku_not_found": gettext_lazy("The SKU does not exist."),
    "stock_changed": gettext_lazy("The stock changed while it was being counted; count again."),
    "store_not_found": gettext_lazy("The store does not exist."),
    "template_entity": gettext_lazy("The template is for another kind of data."),
    "template_not_found": gettext_lazy("The template does not exist."),
    "text_required": gettext_lazy("Describe the event."),
    "tracking_not_found": gettext_lazy("Unknown tracking number."),
    "tracking_number_clash": gettext_lazy("Could not draw a free tracking number; try again."),
    "unknown_channel": gettext_lazy("Unknown channel."),
    "unknown_column": gettext_lazy("The file lacks a mapped column."),
    "unknown_field": gettext_lazy("Unknown field."),
    "unknown_role": gettext_lazy("Unknown role."),
    "unknown_sheet": gettext_lazy("The workbook has no such sheet."),
    "unknown_sku": gettext_lazy("No SKU has this code."),
    "unknown_store": gettext_lazy("No store has this code."),
    "unknown_tracking_status": gettext_lazy("Unknown tracking status."),
    "unknown_warehouse": gettext_lazy("No warehouse has this code."),
    "unmapped_required": gettext_lazy("Map a column (or give a default) for every required field."),
    "unsupported_format": gettext_lazy(
        "Old Excel files (.xls) cannot be read; save the file as .xlsx or CSV."
    ),
    "unsupported_platform": gettext_lazy("No connector for this platform."),
    "upload_not_found": gettext_lazy("The upload does not exist."),
    "user_not_found": gettext_lazy("The user does not exist."),
    "username_required": gettext_lazy("Give a user name."),
    "warehouse_not_found": gettext_lazy("The warehouse does not exist."),
    "weak_password": gettext_lazy("The password is too weak."),
    "wrong_channel": gettext_lazy("The sheet belongs to another channel."),
    # a store's catalog and locations (stores/onboarding)
    "unknown_location": gettext_lazy("The store has no such location; import its catalog again."),
    "warehouse_twice": gettext_lazy("A warehouse can take one platform location only."),
    "invalid_confidence": gettext_lazy("A confidence is from 0 to 1 (or 0% to 100%)."),
    "nothing_selected": gettext_lazy("Choose at least one row."),
    "not_proposed": gettext_lazy(
        "Only proposed rows can be accepted or rejected; reload the page and try again."
    ),
    # field errors of products, SKUs, stock counts and company settings
    "below_reserved": gettext_lazy(
        "The count is below the stock reserved for orders: available stock would be negative."
    ),
    "duplicate_row": gettext_lazy("The same row appears twice in this file."),
    "invalid_code": gettext_lazy(
        "A code holds letters, digits, '.', '_', '-' and '/' and starts with a letter or digit."
    ),
    "invalid_hs_code": gettext_lazy("An HS code is 6 to 10 digits."),
    "invalid_field": gettext_lazy("This field takes text."),
    "invalid_measure": gettext_lazy("A whole number, 0 or more."),
    "invalid_order_priority": gettext_lazy(
        "The order priority is a whole number from 0 up; lower goes first."
    ),
    "invalid_switch": gettext_lazy("A switch is on or off."),
    "invalid_time_zone": gettext_lazy("Unknown time zone."),
    "invalid_url": gettext_lazy("This is not an http(s) address."),
    "invalid_value": gettext_lazy("Not one of the allowed values."),
    "negative_amount": gettext_lazy("This amount cannot be negative."),
    "product_mismatch": gettext_lazy("The SKU belongs to another product."),
    "too_long": gettext_lazy("Too long."),
    "too_many_lines": gettext_lazy("An order has at most 200 lines."),
    "batch_too_large": gettext_lazy("At most %(max)s waybills per request."),
    "credit_limit_required": gettext_lazy("A customer on credit needs a credit limit."),
    "customer_not_found": gettext_lazy("The customer does not exist."),
    "customer_required": gettext_lazy("Say which customer this is for."),
    "customer_suspended": gettext_lazy("The customer is suspended: no new waybills."),
    "intercept_already_requested": gettext_lazy(
        "An intercept of this waybill is already requested."
    ),
    "not_cancellable": gettext_lazy(
        "Only a waybill not yet received can be cancelled; request an intercept instead."
    ),
    "not_editable": gettext_lazy("The waybill can no longer be edited."),
    "portal_account_required": gettext_lazy("A portal user belongs to one customer or one agent."),
    "reference_conflict": gettext_lazy(
        "This reference already belongs to a waybill with other contents."
    ),
    "waybill_not_found": gettext_lazy("The waybill does not exist."),
    "channel_not_open": gettext_lazy("This channel is not open to this customer."),
    "duplicate_reference": gettext_lazy("The reference appears twice in this request."),
    "no_channel_accepts": gettext_lazy("No open channel accepts this waybill."),
    "no_open_channel": gettext_lazy("No channel is open to this customer."),
    "batch_rejected": gettext_lazy(
        "Not written: another waybill of this all-or-nothing batch was refused."
    ),
    "invalid_number": gettext_lazy("This must be a number."),
    "too_many": gettext_lazy("Too many entries."),
    "mixed_currencies": gettext_lazy("Declare every goods line in one currency."),
    "level_required": gettext_lazy("Choose a customer level."),
    "templates_staff_only": gettext_lazy("Column templates are kept by the provider's staff."),
    "invalid_ioss": gettext_lazy("An IOSS number is IM followed by 10 digits."),
    "cancel_instead": gettext_lazy("The waybill is not received yet: cancel it instead."),
    "not_interceptable": gettext_lazy("The waybill can no longer be stopped."),
    "not_printable": gettext_lazy("The waybill is cancelled: there is no label to print."),
    "tracking_number_pending": gettext_lazy(
        "The tracking number is not assigned yet: the label can be printed once it is."
    ),
    "no_waybill_selected": gettext_lazy("Tick at least one waybill."),
    "too_many_labels": gettext_lazy(
        "At most %(max)s labels at a time, and this asks for %(count)s: narrow the filter "
        "(status, dates) or tick the waybills."
    ),
    "customer_portal_user_required": gettext_lazy(
        "ERP credentials act as the portal user of one customer."
    ),
    "username_taken": gettext_lazy("This username is taken."),
    # appointments and freight space (forwarding.bookings)
    "hub_exists": gettext_lazy("A hub with this code exists already."),
    "slot_exists": gettext_lazy("This hub has a slot starting at that time on that day already."),
    "slot_full": gettext_lazy("The slot has no room left for this many."),
    "slot_closed": gettext_lazy("This slot takes no more bookings."),
    "slot_not_found": gettext_lazy("The slot does not exist."),
    "date_in_past": gettext_lazy("The day is in the past."),
    "invalid_time_window": gettext_lazy("The time window must end after it starts."),
    "pickup_not_found": gettext_lazy("The pickup does not exist."),
    "booking_not_found": gettext_lazy("The booking does not exist."),
    "booking_cancelled": gettext_lazy("This booking is cancelled."),
    "invalid_port_code": gettext_lazy(
        "An airport is a 3-letter IATA code, a port a 5-character UN/LOCODE."
    ),
    "same_port": gettext_lazy("The ports of loading and discharge must differ."),
    "cutoff_after_departure": gettext_lazy("The cut-off must come before the departure."),
    "departure_not_found": gettext_lazy("The departure does not exist."),
    "departure_closed": gettext_lazy("This departure takes no more bookings."),
    "cutoff_passed": gettext_lazy("The cut-off of this departure has passed."),
    "departure_full_weight": gettext_lazy(
        "Not enough weight left on this departure: %(remaining_g)s g free."
    ),
    "departure_full_volume": gettext_lazy(
        "Not enough volume left on this departure: %(remaining_cm3)s cm³ free."
    ),
    # pickup tasks: drivers' areas and routes (forwarding.bookings.pickup_tasks)
    "not_a_driver": gettext_lazy("Choose an active driver."),
    "invalid_postcode": gettext_lazy("Not a postcode or the start of one."),
    "area_empty": gettext_lazy("An area needs postcodes or districts."),
    "area_exists": gettext_lazy("An area with this code exists already."),
    "area_not_found": gettext_lazy("The driver area does not exist."),
    "pickup_assigned": gettext_lazy("This pickup has a driver already or is closed."),
    "not_a_pickup": gettext_lazy("Only a pickup at the customer's address goes to a driver."),
    "task_closed": gettext_lazy("This stop is done already."),
    "pieces_over_requested": gettext_lazy(
        "More pieces than requested (%(requested)s): ask the customer to request a pickup for "
        "the others."
    ),
    "task_not_exception": gettext_lazy("This stop has no exception to decide."),
    "pickup_task_not_found": gettext_lazy("The pickup stop does not exist."),
    "pickup_task_open": gettext_lazy(
        "A driver has this pickup: it is marked on the driver's list."
    ),
    # a customer's API credentials (forwarding.partners, forwarder_apis)
    "portal_user_not_found": gettext_lazy("No such portal user of this customer."),
    "carrier_no_url": gettext_lazy("The provider account has no server URL."),
    "invalid_charge": gettext_lazy("A carrier charge is an amount of 0 or more."),
    "not_a_provider_account": gettext_lazy("This carrier account is not a Tradelane provider."),
    "public_url_missing": gettext_lazy(
        "Set this installation's public address (TRADELANE_PUBLIC_URL) for the provider's webhooks."
    ),
    "address_invalid": gettext_lazy("Not valid for the destination country."),
    "address_required": gettext_lazy("The destination country needs this field."),
    "portal_customer_required": gettext_lazy(
        "Only a customer's portal user holds provider API keys."
    ),
    # the hub's inbound scan, problem queue and holds
    "ambiguous_reference": gettext_lazy(
        "Two customers use this reference: scan the waybill number or the label."
    ),
    "ambiguous_code": gettext_lazy("This code is on several waybills: scan the waybill number."),
    "channel_refuses_parcel": gettext_lazy("That channel does not take this parcel as measured."),
    "invalid_outcome": gettext_lazy("Choose how the problem ended."),
    "invalid_piece": gettext_lazy("The waybill has no such piece."),
    "invalid_reason": gettext_lazy("Unknown problem reason."),
    "invalid_tolerance": gettext_lazy("Grams from 0, percent from 0 to 100."),
    "not_a_hold": gettext_lazy("That reason does not hold a parcel."),
    "parcel_already_attached": gettext_lazy("This parcel is attached to a waybill already."),
    "parcel_not_found": gettext_lazy("No parcel has this code or number."),
    "piece_already_in": gettext_lazy("This piece was scanned in a moment ago."),
    "problem_closed": gettext_lazy("This problem is already closed."),
    "problem_not_found": gettext_lazy("The problem does not exist."),
    "tolerance_owner": gettext_lazy("Give a customer or a channel."),
    "waybill_cancelled": gettext_lazy(
        "The customer cancelled this waybill: put the parcel on the problem shelf."
    ),
    "waybill_not_receivable": gettext_lazy("This waybill is in already."),
    "scan_code_required": gettext_lazy("Scan or type a code (at most 80 characters)."),
    "station_required": gettext_lazy("Choose the station."),
    "invalid_json": gettext_lazy("Not valid JSON."),
    "invalid_size": gettext_lazy("Each side is a whole number of millimetres from 0 to 10 m."),
    # bags and dispatches (forwarding.outbound)
    "invalid_action": gettext_lazy("Unknown action."),
    "already_bagged": gettext_lazy("This parcel is already in another bag."),
    "bag_empty": gettext_lazy("The bag is empty: scan a parcel into it first."),
    "bag_not_found": gettext_lazy("No bag has this id."),
    "bag_not_on_dispatch": gettext_lazy("This bag is not on this dispatch."),
    "bag_not_sealed": gettext_lazy("The bag is not sealed: seal it before it leaves."),
    "bag_on_other_dispatch": gettext_lazy("This bag is on another dispatch."),
    "bag_sealed": gettext_lazy("The bag is sealed: it takes no more parcels."),
    "bag_too_heavy": gettext_lazy("The bag is heavier than a receptacle id can carry (999.9 kg)."),
    "bag_wrong_line": gettext_lazy("This bag is for another channel than the dispatch."),
    "bags_not_loaded": gettext_lazy("Some bags are not load-scanned yet."),
    "departure_date_required": gettext_lazy("Give the departure date."),
    "dispatch_closed": gettext_lazy("This dispatch is handed over already."),
    "dispatch_does_not_reconcile": gettext_lazy("The bags' totals do not match their parcels."),
    "dispatch_empty": gettext_lazy("The dispatch has no bags."),
    "dispatch_not_found": gettext_lazy("The dispatch does not exist."),
    "dispatch_has_held_parcels": gettext_lazy(
        "Some parcels are held or no longer received: take them out first."
    ),
    "invalid_airport": gettext_lazy("Give the two airports as IATA codes (PVG, LHR)."),
    "invalid_bag_kind": gettext_lazy("Unknown bag kind (air or surface)."),
    "invalid_dispatch_id": gettext_lazy("Not an S8 dispatch id."),
    "invalid_dispatch_mode": gettext_lazy("Unknown dispatch mode (air or truck)."),
    "invalid_dispatch_serial": gettext_lazy("The dispatch serial is out of 1-9999."),
    "invalid_flight": gettext_lazy("Not a flight number (CA1234)."),
    "invalid_mail_class": gettext_lazy("Unknown mail category, subclass or registered flag."),
    "invalid_mawb": gettext_lazy("Not a MAWB number (3-digit prefix, 8 digits)."),
    "invalid_mawb_check_digit": gettext_lazy("The MAWB number's check digit is wrong."),
    "invalid_office_of_exchange": gettext_lazy("An office of exchange has 6 characters (CNSHAA)."),
    "invalid_receptacle_serial": gettext_lazy("The receptacle serial is out of 1-999."),
    "invalid_s9": gettext_lazy("Not a 29-character receptacle id."),
    "not_in_bag": gettext_lazy("This parcel is not in this bag."),
    "parcel_not_received": gettext_lazy(
        "The parcel is not received at the hub (not scanned in, held or cancelled)."
    ),
    "parcel_on_hold": gettext_lazy("The parcel is on hold."),
    "postal_route_missing": gettext_lazy(
        "This postal channel has no offices of exchange for the country."
    ),
    "scan_empty": gettext_lazy("Scan a code first."),
    "stray_bag": gettext_lazy("Stray bag: it is not on this dispatch."),
    "truck_plate_required": gettext_lazy("Give the truck's plate."),
    "wrong_bag": gettext_lazy("Wrong bag: the parcel goes to another sort key."),
    # the last-mile switch (forwarding.lastmile)
    "last_mile_carrier_required": gettext_lazy("Name the last-mile carrier."),
    "last_mile_carrier_invalid": gettext_lazy("The carrier name is too long (60 at most)."),
    "last_mile_number_required": gettext_lazy("Give the last-mile number."),
    "last_mile_number_invalid": gettext_lazy(
        "Not a last-mile number: 3 to 60 letters, digits or - _ . /"
    ),
    "last_mile_number_taken": gettext_lazy("This number is already on another waybill."),
    "last_mile_not_assignable": gettext_lazy(
        "The waybill is delivered, returned or cancelled: it takes no last-mile number."
    ),
    "lastmile_file_columns": gettext_lazy(
        "The file needs a last-mile number column and a waybill column."
    ),
    "last_mile_request_closed": gettext_lazy("This label request is done already."),
    "no_last_mile_label": gettext_lazy("No last-mile label is stored for this waybill."),
    # customs declarations (forwarding.declarations)
    "too_many_waybills": gettext_lazy("Too many waybills at once."),
    "not_received": gettext_lazy("The waybill is not received at the hub yet."),
    "already_in_batch": gettext_lazy("The waybill is already in a customs batch."),
    "customs_batch_not_found": gettext_lazy("The customs batch does not exist."),
    "not_at_customs": gettext_lazy("The parcel is not at export customs."),
    "customs_hold_open": gettext_lazy("The parcel is held by customs."),
    "hs_code_missing": gettext_lazy("A goods line has no HS code."),
    "item_value_missing": gettext_lazy("A goods line has no value."),
    "ioss_missing": gettext_lazy("DDP to the EU under the IOSS threshold needs an IOSS number."),
    "no_tax_rate": gettext_lazy("No duty or VAT rate is configured for the destination."),
    # money (finance.fx, finance.ledgers, integrations.ecb)
    "ecb_file_invalid": gettext_lazy("The file is not an ECB reference rate file."),
    "ecb_fetch_failed": gettext_lazy(
        "The ECB reference rates could not be fetched; they are asked for again later."
    ),
    "file_unreadable": gettext_lazy("The file cannot be read."),
    "fx_same_currency": gettext_lazy("An exchange rate needs two different currencies."),
    "fx_rate_invalid": gettext_lazy("The exchange rate is not a valid positive number."),
    "ledger_owner_invalid": gettext_lazy(
        "Only a customer, an agent or an upstream line has an account."
    ),
    "ledger_kind_invalid": gettext_lazy("Unknown kind of ledger entry."),
    "ledger_amount_invalid": gettext_lazy("The amount is not valid for this entry."),
    "ledger_key_too_long": gettext_lazy("The idempotency key is too long."),
    "idempotency_key_reused": gettext_lazy("This idempotency key was used for another entry."),
    "credit_exceeded": gettext_lazy("The balance and the credit limit do not cover this charge."),
    # fees per waybill (finance.fees)
    "channel_not_priced": gettext_lazy("The waybill's channel has no rate sheet to price it."),
    "fee_reason_required": gettext_lazy("Say why this fee line is added."),
    "fee_amount_invalid": gettext_lazy(
        "The amount must be a number other than 0, in the currency's minor units."
    ),
    "fee_item_side": gettext_lazy("This fee item is not charged on that side."),
    "fee_item_unknown": gettext_lazy("The fee item does not exist."),
    "fee_line_on_statement": gettext_lazy("Some fee lines are on a statement already."),
    "invalid_stage": gettext_lazy("Fees are not posted at this stage."),
    # commissions of agents and salespeople (finance.commissions)
    "commission_basis_invalid": gettext_lazy("This commission basis is not allowed here."),
    "commission_rate_invalid": gettext_lazy(
        "The rate is not valid: 0 or more, at most 4 decimals, a percentage at most 100."
    ),
    "commission_tiers_invalid": gettext_lazy(
        "The tiers are not valid: a measure, at least one tier, lower bounds ascending."
    ),
    "commission_dates_invalid": gettext_lazy(
        "The validity dates are not valid: a start date, and the end not before it."
    ),
    "commission_channel_invalid": gettext_lazy("The channel does not exist."),
    "commission_currency_mismatch": gettext_lazy(
        "The agreement's currency is not the currency the beneficiary is settled in."
    ),
    "commission_agreement_overlap": gettext_lazy(
        "Another agreement of this beneficiary and channel covers these dates."
    ),
    "commission_beneficiary_invalid": gettext_lazy(
        "An agreement is for a downstream agent or an active staff salesperson."
    ),
    "commission_period_invalid": gettext_lazy("The period is not a month (YYYY-MM)."),
    "commission_not_confirmed": gettext_lazy("Only a confirmed statement can be settled."),
    "commission_reason_required": gettext_lazy("Say why the statement goes back to draft."),
    "commission_payout_invalid": gettext_lazy(
        "A payout is a positive amount in the agent's currency, with a reference."
    ),
    "commission_statement_not_found": gettext_lazy("The commission statement does not exist."),
    "commission_agreement_not_found": gettext_lazy("The commission agreement does not exist."),
    "commission_no_terms": gettext_lazy("The agent has no commission terms to adopt."),
    # balances, credit and arrears holds (finance.credit)
    "payment_method_invalid": gettext_lazy(
        "Pick how the customer paid: bank transfer, Alipay, WeChat Pay, cash or offset."
    ),
    "not_an_arrears_hold": gettext_lazy("This is not a parcel held for arrears."),
    # bulk re-rating (finance.fees.rerating)
    "rerate_selection_invalid": gettext_lazy(
        "Choose a channel or a customer, a period that ends after it starts, and the date of "
        "the rates."
    ),
    # statements and receipts (finance.statements)
    "statement_not_found": gettext_lazy("The statement does not exist."),
    "statement_not_draft": gettext_lazy("Only a draft statement can be issued."),
    "statement_empty": gettext_lazy("The statement has no fee lines to bill."),
    "statement_not_confirmable": gettext_lazy("Only an issued statement can be confirmed."),
    "statement_not_disputable": gettext_lazy("This statement cannot be disputed now."),
    "statement_customer_only": gettext_lazy("Only the customer answers its statement."),
    "statement_not_payable": gettext_lazy("Nothing is to be paid on this statement."),
    "dispute_reason_required": gettext_lazy("Say what is wrong with the statement."),
    "dispute_lines_invalid": gettext_lazy("Choose the lines of this statement you dispute."),
    "dispute_outcome_invalid": gettext_lazy("The outcome is a credit note or a rejection."),
    "dispute_amount_invalid": gettext_lazy(
        "The credit note must be positive and at most what the disputed lines come to."
    ),
    "dispute_resolved": gettext_lazy("This dispute is resolved already."),
    "receipt_key_required": gettext_lazy("A receipt needs its reference key."),
    "receipt_currency": gettext_lazy("The receipt is not in the customer's billing currency."),
    "receipt_amount_invalid": gettext_lazy(
        "The amount must be positive, in the currency's minor units."
    ),
    "receipt_method_invalid": gettext_lazy("Unknown payment method."),
    "allocation_invalid": gettext_lazy("An allocation must be a positive amount."),
    "allocation_exceeds_due": gettext_lazy("The allocation is more than the statement's due."),
    "allocation_exceeds_receipt": gettext_lazy(
        "The allocations are more than the receipt's unallocated amount."
    ),
}

# --- import rows: error codes beyond ``labels.IMPORT_ERROR``, and the fields they name ----------

IMPORT_ERROR = {
    "invalid_text": gettext_lazy("The text holds a character that cannot be stored."),
    "invalid_value": gettext_lazy("Not one of the allowed values."),
    "unknown_sku": gettext_lazy("No SKU has this code."),
    "unknown_warehouse": gettext_lazy("No warehouse has this code."),
}

IMPORT_FIELD = {
    "store": gettext_lazy("Store"),
    "external_id": gettext_lazy("External id"),
    "number": gettext_lazy("Order number"),
    "placed_at": gettext_lazy("Placed at"),
    "currency": gettext_lazy("Currency"),
    "payment_status": gettext_lazy("Payment status"),
    "buyer": gettext_lazy("Buyer"),
    "buyer.name": gettext_lazy("Buyer name"),
    "buyer.email": gettext_lazy("Buyer email"),
    "buyer.phone": gettext_lazy("Buyer phone"),
    "shipping_address": gettext_lazy("Shipping address"),
    "shipping_address.name": gettext_lazy("Recipient"),
    "shipping_address.company": gettext_lazy("Company"),
    "shipping_address.address1": gettext_lazy("Address line 1"),
    "shipping_address.address2": gettext_lazy("Address line 2"),
    "shipping_address.city": gettext_lazy("City"),
    "shipping_address.state": gettext_lazy("State or province"),
    "shipping_address.postcode": gettext_lazy("Postcode"),
    "shipping_address.country": gettext_lazy("Country"),
    "shipping_address.phone": gettext_lazy("Recipient phone"),
    "totals": gettext_lazy("Totals"),
    "totals.items": gettext_lazy("Items total"),
    "totals.shipping": gettext_lazy("Shipping total"),
    "totals.tax": gettext_lazy("Tax total"),
    "totals.discount": gettext_lazy("Discount total"),
    "totals.grand": gettext_lazy("Grand total"),
    "lines": gettext_lazy("Lines"),
    "store_sku": gettext_lazy("Store SKU"),
    "title": gettext_lazy("Title"),
    "quantity": gettext_lazy("Quantity"),
    "unit_price": gettext_lazy("Unit price"),
    "note": gettext_lazy("Note"),
    # spreadsheet imports (stock, products)
    "sku": gettext_lazy("SKU"),
    "warehouse": gettext_lazy("Warehouse"),
}
# CSV columns are the nested names flattened (``ship_country`` is ``shipping_address.country``)
for _key in list(IMPORT_FIELD):
    _group, _dot, _name = _key.partition(".")
    if _dot and _group == "shipping_address":
        IMPORT_FIELD[f"ship_{_name}"] = IMPORT_FIELD[_key]
    elif _dot and _group == "buyer":
        IMPORT_FIELD[f"buyer_{_name}"] = IMPORT_FIELD[_key]
    elif _dot and _group == "totals":
        IMPORT_FIELD[f"{_name}_total"] = IMPORT_FIELD[_key]
del _key, _group, _dot, _name

_LINE_FIELD = re.compile(r"^lines\[(\d+)\](?:\.(\w+))?$")


def import_field_label(field: str) -> str:
    """``lines[0].quantity`` -> "Line 1: Quantity"; ``ship_country`` -> "Country"."""
    field = (field or "").strip()
    match = _LINE_FIELD.match(field)
    if match:
        n = int(match.group(1)) + 1
        if match.group(2):
            name = IMPORT_FIELD.get(match.group(2), match.group(2))
            return _("Line %(n)s: %(field)s") % {"n": n, "field": name}
        return _("Line %(n)s") % {"n": n}
    label = IMPORT_FIELD.get(field)
    return str(label) if label is not None else field


# --- rate shopping: why a channel was refused, how a rule decides ------------------------------

REFUSAL = {
    "not_rate_sheet": gettext_lazy("Priced by the carrier, not by a rate sheet"),
    "inactive": gettext_lazy("The channel is not active"),
    "overweight": gettext_lazy("A piece is heavier than the channel allows"),
    "too_long": gettext_lazy("The longest side is over the channel's limit"),
    "girth": gettext_lazy("Length + girth is over the channel's limit"),
    "declared_value": gettext_lazy("The declared value is over the channel's limit"),
    "declared_value_currency": gettext_lazy(
        "The declared value is in another currency than the limit"
    ),
    "battery_not_accepted": gettext_lazy("The channel does not carry batteries"),
    "liquid_not_accepted": gettext_lazy("The channel does not carry liquids"),
    "magnet_not_accepted": gettext_lazy("The channel does not carry magnets"),
    "destination_not_served": gettext_lazy("The channel does not serve this country"),
    "no_sheet": gettext_lazy("No rate sheet in force on the pricing date"),
    "no_zone": gettext_lazy("No zone of the rate sheet covers this destination"),
    "no_bracket": gettext_lazy("The zone has no price for this weight"),
    "excluded_by_rule": gettext_lazy("The shipping rule does not allow this channel"),
    "no_fx_rate": gettext_lazy("No exchange rate to compare its price"),
    "too_slow": gettext_lazy("Slower than the rule's maximum days"),
}

STRATEGY = {
    "cheapest": gettext_lazy("Cheapest"),
    "fastest": gettext_lazy("Fastest"),
    "cheapest_within_days": gettext_lazy("Cheapest within the days"),
}

_REFUSED = re.compile(r"^refused (\S+): (.*)$")
_REASON_CODE = re.compile(r"\[([a-z_]+)\]\s*$")
_CHOSEN = re.compile(r"^chosen (\S+): (.*)$")
_CANDIDATE = re.compile(r"^candidate (\S+): ([^,(]*)")
_MORE_REFUSED = re.compile(r"^\.\.\. (\d+) more refused$")
_RULE = re.compile(r"^rule '(.*)' \(.*\): (\w+)")


def explanation_line(line: str) -> str:
    """One stored line of a rate-shop explanation (``shopping.services.Choice.short``) or of a
    quote's (``rates.engine.Quote.explain``) in the user's language: the channel codes and
    amounts kept, the English reasons replaced by the labels of their codes."""
    line = str(line or "")
    if line == "no rule matched: cheapest":
        return _("No shipping rule matched: cheapest channel")
    if line == "no channel can carry this parcel":
        return _("No channel can carry this parcel")
    match = _REFUSED.match(line)
    if match:
        reasons = []
        for part in match.group(2).split("; "):
            code = _REASON_CODE.search(part)
            label = REFUSAL.get(code.group(1)) if code else None
            reasons.append(str(label) if label is not None else part)
        return _("Refused %(channel)s: %(reasons)s") % {
            "channel": match.group(1),
            "reasons": "; ".join(reasons),
        }
    match = _CHOSEN.match(line)
    if match:
        return _("Chosen %(channel)s: %(amount)s") % {
            "channel": match.group(1),
            "amount": match.group(2),
        }
    match = _CANDIDATE.match(line)
    if match:
        return _("Candidate %(channel)s: %(amount)s") % {
            "channel": match.group(1),
            "amount": match.group(2).strip(),
        }
    match = _MORE_REFUSED.match(line)
    if match:
        return _("… %(n)s more channels refused") % {"n": match.group(1)}
    match = _RULE.match(line)
    if match:
        strategy = STRATEGY.get(match.group(2), match.group(2))
        return _("Rule %(name)s: %(strategy)s") % {"name": match.group(1), "strategy": strategy}
    return _quote_line(line)


# --- history: the reasons services write on state events ---------------------------------------

HISTORY = {
    "inbound scan": gettext_lazy("Scanned in at the hub"),
    # a last-mile label request (forwarding.lastmile.carrier_labels)
    "ask": gettext_lazy("Asking the carrier"),
    "retry": gettext_lazy("The carrier did not answer: tried again later"),
    "label bought": gettext_lazy("Label bought from the carrier"),
    "retry now": gettext_lazy("Retried by hand"),
    "customs declaration filed": gettext_lazy("Customs declaration filed"),
    "export customs cleared": gettext_lazy("Export customs cleared"),
    "cancelled through the ERP": gettext_lazy("Cancelled by the customer's ERP"),
    "imported": gettext_lazy("Imported"),
    "re-imported with changes": gettext_lazy("Imported again with changes"),
    "allocated": gettext_lazy("Allocated to a warehouse"),
    "no warehouse has all lines in stock": gettext_lazy("No warehouse has all lines in stock"),
    "allocated by split": gettext_lazy("Allocated by split"),
    "allocated by merge": gettext_lazy("Allocated with the merged orders"),
    "shipped": gettext_lazy("Shipped"),
    "handed over": gettext_lazy("Handed over"),
    "edited": gettext_lazy("Edited"),
    "numbered by our channel": gettext_lazy("Numbered by our channel"),
    "cancelled": gettext_lazy("Cancelled"),
    "cancelled on the platform": gettext_lazy("Cancelled on the platform"),
    "carrier: delivered": gettext_lazy("The carrier reports it delivered"),
    "carrier: returned": gettext_lazy("The carrier reports it returned to the sender"),
    "carrier: parcel moving": gettext_lazy("The carrier reports the parcel moving"),
    "delivered (carrier)": gettext_lazy("Delivered (the carrier's report)"),
    # pickup tasks (forwarding.bookings.pickup_tasks)
    "pickup cancelled": gettext_lazy("The pickup was cancelled"),
    "assigned to a driver": gettext_lazy("Assigned to a driver"),
    "short count accepted": gettext_lazy("Short count accepted"),
    "nobody_there": gettext_lazy("Nobody there"),
    "fewer_pieces": gettext_lazy("Fewer pieces than requested"),
    "refused": gettext_lazy("The customer refused"),
    "address_wrong": gettext_lazy("The address is wrong"),
    # bags and dispatches (forwarding.outbound)
    "sealed": gettext_lazy("Sealed"),
}

_HISTORY_PATTERNS = (
    (re.compile(r"^collected (\d+/\d+)$"), gettext_lazy("Collected %(value)s")),
    (re.compile(r"^shipment (\S+)$"), gettext_lazy("In shipment %(value)s")),
    (re.compile(r"^label bought from (.+)$"), gettext_lazy("Label bought from %(value)s")),
    (re.compile(r"^dispatch (\S+)$"), gettext_lazy("Dispatch %(value)s")),
)


def history_reason(reason: str) -> str | None:
    """The label of a reason a service wrote, or None for a reason a person typed."""
    label = HISTORY.get(reason)
    if label is not None:
        return str(label)
    for pattern, text in _HISTORY_PATTERNS:
        match = pattern.match(reason)
        if match:
            return str(text) % {"value": match.group(1)}
    return None


# --- sources: where an order or a tracking event came from -------------------------------------

ORDER_SOURCE = {
    "api": gettext_lazy("API"),
    "import": gettext_lazy("Import"),
    "manual": gettext_lazy("Entered by hand"),
    "demo": gettext_lazy("Demo data"),
    "push": gettext_lazy("Pushed by a seller"),
    "spreadsheet": gettext_lazy("Spreadsheet import"),
    "shopify": gettext_lazy("Shopify sync"),
    "woocommerce": gettext_lazy("WooCommerce sync"),
    "amazon": gettext_lazy("Amazon sync"),
}

EVENT_SOURCE = {
    "poll": gettext_lazy("Carrier query"),
    "webhook": gettext_lazy("Carrier push"),
    "manual": gettext_lazy("Recorded by hand"),
    "system": gettext_lazy("System"),
}

# --- tracking: our statuses, the carriers' sub-statuses and milestones -------------------------

TRACKING_STATUS = {
    "info_received": gettext_lazy("Information received"),
    "picked_up": gettext_lazy("Picked up"),
    "in_transit": gettext_lazy("In transit"),
    "customs_processing": gettext_lazy("Customs processing"),
    "customs_released": gettext_lazy("Released by customs"),
    "available_for_pickup": gettext_lazy("Available for pickup"),
    "out_for_delivery": gettext_lazy("Out for delivery"),
    "delivery_failed": gettext_lazy("Delivery failed"),
    "delivered": gettext_lazy("Delivered"),
    "returning": gettext_lazy("Returning to sender"),
    "returned": gettext_lazy("Returned to sender"),
    "damaged": gettext_lazy("Damaged"),
    "lost": gettext_lazy("Lost"),
    "delayed": gettext_lazy("Delayed"),
    "exception": gettext_lazy("Exception"),
    "expired": gettext_lazy("No news for too long"),
    "unknown": gettext_lazy("Unknown status"),
}

# 17TRACK's sub-statuses and milestones (``integrations/tracking_hooks``) and our own raw codes
TRACKING_SUBSTATUS = {
    "NotFound_Other": gettext_lazy("Not found yet"),
    "NotFound_InvalidCode": gettext_lazy("Not found: the number is not valid"),
    "InfoReceived": gettext_lazy("Information received"),
    "InTransit_PickedUp": gettext_lazy("Picked up"),
    "InTransit_Other": gettext_lazy("In transit"),
    "InTransit_Departure": gettext_lazy("Departed a facility"),
    "InTransit_Arrival": gettext_lazy("Arrived at a facility"),
    "InTransit_CustomsProcessing": gettext_lazy("Customs processing"),
    "InTransit_CustomsRequiringInformation": gettext_lazy("Customs needs information"),
    "InTransit_CustomsReleased": gettext_lazy("Released by customs"),
    "Expired_Other": gettext_lazy("No news for too long"),
    "AvailableForPickup_Other": gettext_lazy("Available for pickup"),
    "OutForDelivery_Other": gettext_lazy("Out for delivery"),
    "DeliveryFailure_Other": gettext_lazy("Delivery failed"),
    "DeliveryFailure_NoBody": gettext_lazy("Delivery failed: nobody home"),
    "DeliveryFailure_Security": gettext_lazy("Delivery failed: security concern"),
    "DeliveryFailure_Rejected": gettext_lazy("Delivery failed: refused by the recipient"),
    "DeliveryFailure_InvalidAddress": gettext_lazy("Delivery failed: wrong address"),
    "Delivered_Other": gettext_lazy("Delivered"),
    "Exception_Other": gettext_lazy("Exception"),
    "Exception_Returning": gettext_lazy("Returning to sender"),
    "Exception_Returned": gettext_lazy("Returned to sender"),
    "Exception_NoBody": gettext_lazy("Exception: nobody home"),
    "Exception_Security": gettext_lazy("Exception: security concern"),
    "Exception_Damage": gettext_lazy("Damaged"),
    "Exception_Rejected": gettext_lazy("Exception: refused by the recipient"),
    "Exception_Delayed": gettext_lazy("Delayed"),
    "Exception_Lost": gettext_lazy("Lost"),
    "Exception_Destroyed": gettext_lazy("Exception: destroyed"),
    "Exception_Cancel": gettext_lazy("Exception: cancelled"),
    # milestones (``stage``)
    "PickedUp": gettext_lazy("Picked up"),
    "Departure": gettext_lazy("Departed a facility"),
    "Arrival": gettext_lazy("Arrived at a facility"),
    "AvailableForPickup": gettext_lazy("Available for pickup"),
    "OutForDelivery": gettext_lazy("Out for delivery"),
    "Delivered": gettext_lazy("Delivered"),
    "Returning": gettext_lazy("Returning to sender"),
    "Returned": gettext_lazy("Returned to sender"),
    # ours (``logistics.tracking.services``)
    "manual": gettext_lazy("Recorded by hand"),
    "last_mile": gettext_lazy("Last-mile number set"),
    "expired": gettext_lazy("No news for too long"),
    **{code: label for code, label in TRACKING_STATUS.items() if code != "expired"},
}

SHIPMENT_STATUS = {
    "draft": gettext_lazy("Draft"),
    "labelled": gettext_lazy("Labelled"),
    "shipped": gettext_lazy("Shipped"),
    "delivered": gettext_lazy("Delivered"),
    "returned": gettext_lazy("Returned"),
    "cancelled": gettext_lazy("Cancelled"),
}

# --- customs: decisions, documents, categories, incoterms --------------------------------------

CUSTOMS = {
    "ioss": gettext_lazy("IOSS (EU VAT paid at sale)"),
    "vat_at_sale": gettext_lazy("VAT collected at sale"),
    "de_minimis": gettext_lazy("Under the duty-free threshold"),
    "eu_flat_duty": gettext_lazy("EU flat customs duty"),
    "none": gettext_lazy("No customs document"),
    "cn22": gettext_lazy("CN22 customs declaration"),
    "cn23": gettext_lazy("CN23 customs declaration"),
    "invoice": gettext_lazy("Commercial invoice"),
    "gift": gettext_lazy("Gift"),
    "commercial_sample": gettext_lazy("Commercial sample"),
    "documents": gettext_lazy("Documents"),
    "returned_goods": gettext_lazy("Returned goods"),
    "sale_of_goods": gettext_lazy("Sale of goods"),
    "other": gettext_lazy("Other"),
    "DDP": gettext_lazy("DDP (duties paid by the sender)"),
    "DDU": gettext_lazy("DDU (duties paid by the recipient)"),
}

# the charges of a quote (``rates.descriptions``: CHARGE_* and SUR_*)
CHARGE = {
    "freight": gettext_lazy("Freight"),
    "registration": gettext_lazy("Registration"),
    "fuel": gettext_lazy("Fuel surcharge"),
    "remote": gettext_lazy("Remote area"),
    "oversize": gettext_lazy("Oversize"),
    "overweight": gettext_lazy("Overweight"),
    "battery": gettext_lazy("Battery"),
    "liquid": gettext_lazy("Liquid"),
    "magnet": gettext_lazy("Magnet"),
    "fixed": gettext_lazy("Fixed"),
}

# why customs chose the incoterm (``customs.decisions.decide``: ``Decision.reason``)
CUSTOMS_REASON = {
    "DDP by the shipping rule": gettext_lazy("DDP, as the shipping rule says"),
    "duties and taxes paid by the buyer": gettext_lazy("Duties and taxes paid by the buyer"),
}
_CUSTOMS_REASON_PATTERNS = (
    (re.compile(r"^IOSS: (.+) up to (.+)$"), gettext_lazy("IOSS: %(value)s, within %(limit)s")),
    (
        re.compile(r"^UK VAT at sale: (.+) up to (.+)$"),
        gettext_lazy("UK VAT collected at sale: %(value)s, within %(limit)s"),
    ),
)


def customs_reason(text: str) -> str:
    text = str(text or "")
    label = CUSTOMS_REASON.get(text)
    if label is not None:
        return str(label)
    for pattern, words in _CUSTOMS_REASON_PATTERNS:
        match = pattern.match(text)
        if match:
            return str(words) % {"value": match.group(1), "limit": match.group(2)}
    return text


# the lines of a quote's own explanation (``rates.engine.Quote.explain``, ``chargeable``)
_QUOTE_FIXED = {
    "no volumetric weight on this channel": gettext_lazy("No volumetric weight on this channel"),
    "no dimensions given: no volumetric weight": gettext_lazy(
        "No dimensions given: no volumetric weight"
    ),
    "volumetric not applied: no side exceeds the channel's length for the divisor": gettext_lazy(
        "Volumetric not applied: no side over the channel's length"
    ),
    "volumetric not applied: within the channel's size limit": gettext_lazy(
        "Volumetric not applied: within the channel's free size"
    ),
    "volumetric not above actual: actual weight used": gettext_lazy(
        "Volumetric not above actual: actual weight used"
    ),
}
_QUOTE_PATTERNS = (
    (r"^channel (?P<channel>\S+), cost price on (?P<date>\S+)$",
     gettext_lazy("Channel %(channel)s, cost price on %(date)s")),
    (r"^channel (?P<channel>\S+), sale (?P<level>.*?) ?price on (?P<date>\S+)$",
     gettext_lazy("Channel %(channel)s, sale price %(level)s on %(date)s")),
    (r"^actual weight (?P<w>.+)$", gettext_lazy("Actual weight %(w)s")),
    (r"^(?P<dims>.+) cm \(each side rounded up to a whole cm\) / (?P<divisor>\d+)"
     r" = volumetric (?P<w>.+)$",
     gettext_lazy("%(dims)s cm (each side rounded up to a whole cm) / %(divisor)s = "
                  "volumetric %(w)s")),
    (r"^volumetric weight used: (?P<w>.+)$", gettext_lazy("Volumetric weight used: %(w)s")),
    (r"^half volumetric: (?P<w>.+)$", gettext_lazy("Half volumetric: %(w)s")),
    (r"^minimum chargeable weight (?P<w>.+) applied$",
     gettext_lazy("Minimum chargeable weight %(w)s applied")),
    (r"^rounded up to the next (?P<step>.+): (?P<w>.+)$",
     gettext_lazy("Rounded up to the next %(step)s: %(w)s")),
    (r"^chargeable weight (?P<w>.+)$", gettext_lazy("Chargeable weight %(w)s")),
    (r"^(?P<n>\d+) pieces: (?P<w>.+) chargeable in all$",
     gettext_lazy("%(n)s pieces: %(w)s chargeable in all")),
    (r"^total (?P<amount>.+)$", gettext_lazy("Total %(amount)s")),
)  # fmt: skip
_QUOTE_PATTERNS_COMPILED = tuple((re.compile(p), words) for p, words in _QUOTE_PATTERNS)
_ZONE_LINE = re.compile(r"^zone (\S+) by (.+)$")
_CANNOT_SHIP = re.compile(r"^cannot ship: .*\[([a-z_]+)\]$")
_CHARGE_LINE = re.compile(r"^([a-z_]+): (.+) = (.+)$")


_SHEET_LABEL = re.compile(r"^(cost|sale)(?: (\S+))? sheet from (\S+)(?: \((.*)\))?$")
_AREA_RULE = (
    (re.compile(r"^country ([A-Z]{2})$"), gettext_lazy("country %(country)s")),
    (re.compile(r"^([A-Z]{2}) city (?P<x>.+)$"), gettext_lazy("%(country)s, city %(x)s")),
    (re.compile(r"^([A-Z]{2}) postcode (?P<x>.+)$"), gettext_lazy("%(country)s, postcode %(x)s")),
)


def _sheet_label(text: str) -> str:
    """``sale VIP sheet from 2026-01-01 (DHL 2026)`` (``rates.engine._sheet_label``)."""
    match = _SHEET_LABEL.match(text)
    if not match:
        return text
    kind, level, date, name = match.groups()
    words = _("Cost sheet") if kind == "cost" else _("Sale sheet")
    out = _("%(sheet)s from %(date)s") % {
        "sheet": f"{words} {level}" if level else words,
        "date": date,
    }
    return f"{out} ({name})" if name else out


def _area_rule(text: str) -> str:
    """``country AU``, ``US postcode 9*`` (``rates.descriptions.AreaRule.describe``)."""
    for pattern, words in _AREA_RULE:
        match = pattern.match(text)
        if match:
            country = country_label(match.group(1))
            return str(words) % {"country": country, "x": match.groupdict().get("x", "")}
    return text


_CHARGE_TEXTS = (
    (re.compile(r"^(?P<amount>\S+) per piece × (?P<n>\d+)$"),
     gettext_lazy("%(amount)s per piece × %(n)s")),
    (re.compile(r"^(?P<w>\S+ kg) in bracket (?P<range>[^:]+): (?P<calc>.+)$"),
     gettext_lazy("%(w)s in the weight bracket %(range)s: %(calc)s")),
)  # fmt: skip


def _charge_text(text: str) -> str:
    """The common charge descriptions (``rates.engine._registration_text``, ``_freight_text``);
    the others are formulas and stay as they are."""
    for pattern, words in _CHARGE_TEXTS:
        match = pattern.match(text)
        if match:
            return str(words) % match.groupdict()
    return text


def _quote_line(line: str) -> str:
    fixed = _QUOTE_FIXED.get(line)
    if fixed is not None:
        return str(fixed)
    if line.startswith("rate sheet: "):
        return _("Rate sheet: %(sheet)s") % {"sheet": _sheet_label(line[len("rate sheet: ") :])}
    match = _ZONE_LINE.match(line)
    if match:
        return _("Zone %(zone)s, matched by %(rule)s") % {
            "zone": match.group(1),
            "rule": _area_rule(match.group(2)),
        }
    match = _CANNOT_SHIP.match(line)
    if match and match.group(1) in REFUSAL:
        return _("Cannot ship: %(reason)s") % {"reason": REFUSAL[match.group(1)]}
    match = _CHARGE_LINE.match(line)
    if match and match.group(1) in CHARGE:
        return f"{CHARGE[match.group(1)]}: {_charge_text(match.group(2))} = {match.group(3)}"
    for pattern, words in _QUOTE_PATTERNS_COMPILED:
        match = pattern.match(line)
        if match:
            return str(words) % match.groupdict()
    return line


# every table of this module by the name the ``code`` filter uses (``labels.REGISTRY`` adds the
# order tables and merges the error tables)
SETTLEMENT = {
    "per_waybill": gettext_lazy("Per waybill"),
    "weekly": gettext_lazy("Weekly"),
    "half_monthly": gettext_lazy("Half-monthly"),
    "monthly": gettext_lazy("Monthly"),
}

PAYMENT_TERMS = {
    "prepaid": gettext_lazy("Prepaid"),
    "credit": gettext_lazy("On credit"),
}

PARTNER_STATUS = {
    "active": gettext_lazy("Active"),
    "suspended": gettext_lazy("Suspended"),
}

COMMISSION_MODE = {
    "per_waybill": pgettext_lazy("commission", "Per waybill"),
    "per_kg": gettext_lazy("Per kg"),
    "margin_share": gettext_lazy("Share of margin"),
}

UPSTREAM_KIND = {
    "carrier": gettext_lazy("Carrier"),
    "forwarder": gettext_lazy("Forwarder"),
    "postal": gettext_lazy("Postal operator"),
}

# a provider's waybill (``forwarding.waybills.models.WaybillStatus``)
WAYBILL_STATUS = {
    "created": gettext_lazy("Forecast"),
    "received": gettext_lazy("Received at the hub"),
    "held": gettext_lazy("Held"),
    "in_transit": gettext_lazy("In transit"),
    "delivered": gettext_lazy("Delivered"),
    "returned": gettext_lazy("Returned"),
    "cancelled": gettext_lazy("Cancelled"),
}

# what a waybill's timeline says (``forwarding.waybills.services``: WaybillEvent.description)
WAYBILL_EVENT = {
    "Waybill created, waiting for the parcel": gettext_lazy(
        "Waybill created, waiting for the parcel"
    ),
    "Waybill cancelled by the customer": gettext_lazy("Waybill cancelled by the customer"),
    "Received at the hub and weighed": gettext_lazy("Received at the hub and weighed"),
    "Picked up by our driver": gettext_lazy("Picked up by our driver"),
}

# a waybill's fee lines (``finance.fees.models``: FeeSide, FeeStage)
FEE_SIDE = {
    "receivable": gettext_lazy("Receivable"),
    "payable": gettext_lazy("Payable"),
}
FEE_STAGE = {
    "estimated": gettext_lazy("Estimated (forecast)"),
    "actual": gettext_lazy("Actual (measured at the hub)"),
    "fuel": gettext_lazy("Fuel rate change"),
    "channel_change": gettext_lazy("Channel change"),
    "manual": gettext_lazy("Manual"),
}

# commissions (``finance.commissions.models``): basis, tier measure, statement state, notes
COMMISSION_BASIS = {
    "margin_pct": gettext_lazy("Percentage of margin"),
    "revenue_pct": gettext_lazy("Percentage of revenue"),
    "per_waybill": gettext_lazy("Amount per waybill"),
    "per_kg": gettext_lazy("Amount per chargeable kg"),
}
COMMISSION_TIER_MEASURE = {
    "none": gettext_lazy("No tiers"),
    "waybills": gettext_lazy("Waybills in the month"),
    "kg": gettext_lazy("Chargeable kg in the month"),
    "revenue": gettext_lazy("Revenue in the month"),
}
COMMISSION_STATUS = {
    "draft": gettext_lazy("Draft"),
    "confirmed": gettext_lazy("Confirmed"),
    "settled": gettext_lazy("Settled"),
}
COMMISSION_NOTE = {
    "negative_margin": gettext_lazy("Negative margin: no commission"),
}

# statements and receipts (``finance.statements.models``)
STATEMENT_STATUS = {
    "draft": gettext_lazy("Draft"),
    "issued": gettext_lazy("Issued"),
    "confirmed": gettext_lazy("Confirmed"),
    "disputed": gettext_lazy("Disputed"),
    "settled": gettext_lazy("Settled"),
}
DISPUTE_STATUS = {
    "open": gettext_lazy("Open"),
    "credited": gettext_lazy("Credit note posted"),
    "rejected": gettext_lazy("Rejected"),
}
# how a customer paid (finance.credit's top-ups, finance.statements' receipts)
PAYMENT_METHOD = {
    "bank_transfer": gettext_lazy("Bank transfer"),
    "alipay": gettext_lazy("Alipay"),
    "wechat": gettext_lazy("WeChat Pay"),
    "cash": gettext_lazy("Cash"),
    "offset": gettext_lazy("Offset"),
}
RECEIPT_METHOD = PAYMENT_METHOD

KINDS = {
    "commission_basis": COMMISSION_BASIS,
    "commission_tier_measure": COMMISSION_TIER_MEASURE,
    "commission_status": COMMISSION_STATUS,
    "commission_note": COMMISSION_NOTE,
    "payment_method": PAYMENT_METHOD,
    "statement_status": STATEMENT_STATUS,
    "dispute_status": DISPUTE_STATUS,
    "receipt_method": RECEIPT_METHOD,
    "fee_side": FEE_SIDE,
    "fee_stage": FEE_STAGE,
    "waybill_status": WAYBILL_STATUS,
    "waybill_event": WAYBILL_EVENT,
    "refusal": REFUSAL,
    "strategy": STRATEGY,
    "import_field": IMPORT_FIELD,
    "history": HISTORY,
    "order_source": ORDER_SOURCE,
    "event_source": EVENT_SOURCE,
    "tracking_status": TRACKING_STATUS,
    "tracking_substatus": TRACKING_SUBSTATUS,
    "shipment_status": SHIPMENT_STATUS,
    "customs": CUSTOMS,
    "customs_reason": CUSTOMS_REASON,
    "charge": CHARGE,
    "settlement": SETTLEMENT,
    "payment_terms": PAYMENT_TERMS,
    "partner_status": PARTNER_STATUS,
    "commission_mode": COMMISSION_MODE,
    "upstream_kind": UPSTREAM_KIND,
}

# --- upstream bills (finance.payables): errors, the row report, a line's audit state ------------

PAYABLE_ERROR = {
    "payable_mapping_invalid": gettext_lazy("The column mapping is not valid."),
    "payable_mapping_incomplete": gettext_lazy(
        "The mapping needs a number column, a charge column and a currency."
    ),
    "payable_mapping_required": gettext_lazy(
        "This upstream line has no saved column mapping: give one."
    ),
    "payable_columns_missing": gettext_lazy("The file lacks a column the mapping names."),
    "payable_line_required": gettext_lazy("Choose the upstream line."),
    "payable_bill_empty": gettext_lazy("The bill has no row to import."),
    "payable_bill_duplicate": gettext_lazy("This bill was imported already."),
    "payable_bill_not_found": gettext_lazy("The upstream bill does not exist."),
    "payable_line_not_found": gettext_lazy("The bill line does not exist."),
    "payable_line_decided": gettext_lazy("The bill line is decided already."),
    "payable_reason_required": gettext_lazy("Give a reason."),
    "payable_outcome_required": gettext_lazy("Say how the dispute ended."),
    "payable_amount_invalid": gettext_lazy(
        "The amount must be a positive number in the currency's minor units."
    ),
    "payable_amount_not_disputed": gettext_lazy(
        "An open line is accepted at its charge; dispute it first."
    ),
    "payable_payment_reference_required": gettext_lazy("A payment needs the bank's reference."),
}
ERROR.update(PAYABLE_ERROR)

# a bill row's code in the import report and a line's match (``payables.mapping``, ``matching``)
PAYABLE_ROW = {
    "ok": gettext_lazy("Ready"),
    "imported": gettext_lazy("Imported"),
    "batch_rejected": gettext_lazy(
        "Not imported: another row of this all-or-nothing bill was refused"
    ),
    "payable_row_number_missing": gettext_lazy(
        "No waybill, last-mile or reference number in the row"
    ),
    "payable_row_amount_invalid": gettext_lazy("The charge is missing or not a positive amount"),
    "payable_row_weight_invalid": gettext_lazy("The chargeable weight is not a weight"),
    "payable_row_currency_invalid": gettext_lazy("The currency is missing or unknown"),
    "payable_row_date_invalid": gettext_lazy("The date is not a date (YYYY-MM-DD)"),
    "payable_row_duplicate": gettext_lazy("The same waybill and fee item are in the bill twice"),
    "payable_row_billed_before": gettext_lazy(
        "An earlier bill of this line has this waybill and fee item"
    ),
    "payable_waybill_unknown": gettext_lazy("No waybill of ours has this number"),
    "payable_waybill_ambiguous": gettext_lazy("Several waybills have this number"),
    "payable_currency_unconverted": gettext_lazy(
        "Our payable is in another currency and no rate converts it"
    ),
}

PAYABLE_STATUS = {
    "open": pgettext_lazy("bill line", "Open"),
    "accepted": pgettext_lazy("bill line", "Accepted"),
    "disputed": pgettext_lazy("bill line", "Disputed"),
    "written_off": pgettext_lazy("bill line", "Written off"),
}

# the fields of a bill's column mapping (``payables.mapping.FIELDS``)
PAYABLE_FIELD = {
    "waybill_number": gettext_lazy("Waybill number"),
    "last_mile_number": gettext_lazy("Last-mile number"),
    "reference": gettext_lazy("Customer reference"),
    "weight": gettext_lazy("Chargeable weight"),
    "amount": gettext_lazy("Charge"),
    "currency": gettext_lazy("Currency"),
    "fee_item": gettext_lazy("Fee item"),
    "date": gettext_lazy("Date"),
}

KINDS.update(
    {"payable_row": PAYABLE_ROW, "payable_status": PAYABLE_STATUS, "payable_field": PAYABLE_FIELD}
)


# --- countries -------------------------------------------------------------------------------

# our language codes -> pycountry's catalogue (iso3166-1 domain)
_PYCOUNTRY_LOCALE = {"zh-hans": "zh_CN", "zh": "zh_CN", "zh-cn": "zh_CN"}


@lru_cache(maxsize=8)
def _country_catalogue(language: str) -> gettext_module.NullTranslations:
    locale = _PYCOUNTRY_LOCALE.get(language)
    if locale is None:
        return gettext_module.NullTranslations()
    return gettext_module.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )


@lru_cache(maxsize=2048)
def _country_name(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        return code
    name = country.name
    if code != "TW":  # "Taiwan, Province of China" reads as itself in Chinese
        name = getattr(country, "common_name", None) or name
    return _country_catalogue(language).gettext(name)


def country_label(code: str) -> str:
    """The country's name in the active language (pycountry's catalogue); the code if unknown."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    if code == "EU":
        return _("European Union")
    return _country_name(code, (get_language() or "en").lower())


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country, named and sorted in the active language."""
    names = [(c.alpha_2, country_label(c.alpha_2)) for c in pycountry.countries]
    # English sorts by name; Chinese names have no alphabetical order here, codes do
    english = (get_language() or "en").lower().startswith("en")
    return sorted(names, key=lambda item: item[1] if english else item[0])

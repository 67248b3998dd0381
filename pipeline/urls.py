from django.urls import path

from . import api, lrs

app_name = "pipeline"

urlpatterns = [
    path("events/moodle", api.MoodleEventApi.as_view(), name="event-moodle"),
    path("events/xapi", api.XapiEventApi.as_view(), name="event-xapi"),
    path("events/csv/<str:kind>", api.CsvImportApi.as_view(), name="event-csv"),
    path("events/<str:public_id>", api.EventDetailApi.as_view(), name="event-detail"),
    # The xAPI LRS (selectors.LRS_PATH): the endpoint Moodle's log store is given.
    path("xapi/about", lrs.XapiAboutApi.as_view(), name="xapi-about"),
    path("xapi/statements", lrs.XapiStatementsApi.as_view(), name="xapi-statements"),
    path("xapi/<path:resource>", lrs.XapiOtherApi.as_view(), name="xapi-other"),
]

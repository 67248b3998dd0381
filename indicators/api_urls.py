from django.urls import path

from . import views

app_name = "indicators-api"

urlpatterns = [
    path("indicators", views.IndicatorsApi.as_view(), name="indicators"),
]

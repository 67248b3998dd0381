from django.urls import path

from . import api, views

app_name = "competencies"

urlpatterns = [
    path("frameworks", views.framework_list, name="framework-list"),
    path("frameworks/<str:code>", views.framework_detail, name="framework-latest"),
    path("frameworks/<str:code>/<str:version>", views.framework_detail, name="framework"),
    path("frameworks/<str:code>/<str:version>/levels", views.levels, name="levels"),
    path("frameworks/<str:code>/<str:version>/jobs/<str:job_code>", views.job_detail, name="job"),
    path("frameworks/<str:code>/<str:version>/competencies/<str:competency_code>", views.competency_detail,
         name="competency"),
    path("api/v1/frameworks", api.FrameworkListApi.as_view(), name="api-framework-list"),
    path("api/v1/frameworks/<str:code>/<str:version>", api.FrameworkDetailApi.as_view(), name="api-framework"),
    path("api/v1/frameworks/<str:code>/<str:version>/competencies", api.CompetencySearchApi.as_view(),
         name="api-competency-search"),
]

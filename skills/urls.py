from django.urls import path

from . import api

app_name = "skills"

urlpatterns = [
    path("api/v1/me/profile", api.MyProfileApi.as_view(), name="api-my-profile"),
    path("api/v1/me/jobs", api.MyJobsApi.as_view(), name="api-my-jobs"),
    path("api/v1/me/jobs/<str:code>/<str:version>/<str:job_code>", api.MyJobFitApi.as_view(), name="api-my-job-fit"),
    path("api/v1/agents", api.AgentSearchApi.as_view(), name="api-agent-search"),
]

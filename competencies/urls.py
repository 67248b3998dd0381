from django.urls import path

from . import api, case_views, views

app_name = "competencies"

CASE = "ims/case/v1p0"  # 1EdTech CASE 1.0 REST binding

urlpatterns = [
    path(f"{CASE}/CFDocuments", case_views.documents_list, name="case-documents"),
    path(f"{CASE}/CFDocuments/<str:identifier>", case_views.document, name="case-document"),
    path(f"{CASE}/CFPackages/<str:identifier>", case_views.package, name="case-package"),
    path(f"{CASE}/CFItems/<str:identifier>", case_views.item, name="case-item"),
    path(f"{CASE}/CFItemAssociations/<str:identifier>", case_views.item_associations, name="case-item-associations"),
    path(f"{CASE}/CFAssociations/<str:identifier>", case_views.association, name="case-association"),
    path(f"{CASE}/CFRubrics/<str:identifier>", case_views.rubric, name="case-rubric"),
    path(f"{CASE}/CFItemTypes/<str:identifier>", case_views.definition("CFItemTypes", as_set=True),
         name="case-item-type"),
    path(f"{CASE}/CFSubjects/<str:identifier>", case_views.definition("CFSubjects", as_set=True), name="case-subject"),
    path(f"{CASE}/CFConcepts/<str:identifier>", case_views.definition("CFConcepts", as_set=True), name="case-concept"),
    path(f"{CASE}/CFLicenses/<str:identifier>", case_views.definition("CFLicenses", as_set=False), name="case-license"),
    path(f"{CASE}/CFAssociationGroupings/<str:identifier>",
         case_views.definition("CFAssociationGroupings", as_set=False), name="case-association-grouping"),
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

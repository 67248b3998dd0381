from django.urls import path, re_path

from . import views

app_name = "passport"

urlpatterns = [
    path("", views.home, name="home"),
    path("badges/<str:public_id>/", views.badge_detail, name="badge"),
    path("badges/<str:public_id>/visibilite", views.badge_visibility, name="badge-visibility"),
    re_path(r"^badges/(?P<public_id>[^/]+)/partager/(?P<channel>link|linkedin)$", views.badge_share,
            name="badge-share"),
    re_path(r"^badges/(?P<public_id>[^/]+)/telecharger/(?P<channel>png|svg|json|pdf)$", views.badge_download,
            name="badge-download"),
    path("competences/", views.competency_profile, name="profile"),
    path("competences/visibilite", views.profile_visibility, name="profile-visibility"),
    path("mes-donnees/", views.my_data, name="data"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:application_id>/retirer", views.application_withdraw, name="application-withdraw"),
    path("mes-donnees.json", views.my_data_download, name="data-download"),
    path("export/presentation.json", views.export_presentation, name="export-presentation"),
    path("export/clr.json", views.export_clr, name="export-clr"),
]

urlpatterns += [
    path("ailleurs/ajouter", views.foreign_add, name="foreign-add"),
    path("ailleurs/<str:public_id>/", views.foreign_detail, name="foreign"),
    path("ailleurs/<str:public_id>/image", views.foreign_image, name="foreign-image"),
    re_path(r"^ailleurs/(?P<public_id>[^/]+)/(?P<action>verifier|visibilite|exports|supprimer)$",
            views.foreign_action, name="foreign-action"),
]

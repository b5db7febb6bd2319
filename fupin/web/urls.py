from django.urls import path

from fupin.web import views

urlpatterns = [
    path("", views.home, name="home"),
]

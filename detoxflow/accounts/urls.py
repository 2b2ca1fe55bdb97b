from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from detoxflow.accounts import views

urlpatterns = [
    path("sign-in/", login_not_required(views.SignInView.as_view()), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("account/password/", views.PasswordChange.as_view(), name="password-change"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<id:user_id>/", views.staff_detail, name="staff-detail"),
    path("patients/<id:patient_id>/emergency-access/", views.emergency_access, name="emergency-access"),
    path("emergency-access/<id:grant_id>/acknowledge/", views.acknowledge, name="acknowledge-emergency-access"),
]

"""Sign in and sign out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from detoxflow.accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    """The only page open to everyone besides the public get-help page."""

    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

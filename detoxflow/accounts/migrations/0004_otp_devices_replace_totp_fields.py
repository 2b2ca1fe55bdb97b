"""Two-factor secrets move to django-otp devices and lockout state to django-axes; a forced password change."""

from binascii import hexlify
from base64 import b32decode

from django.db import migrations, models


def secrets_to_devices(apps, schema_editor):
    # A user who had turned two-step sign-in on keeps the same authenticator app: the base32 key
    # becomes the hex key django-otp stores.
    User = apps.get_model("accounts", "User")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for user in User.objects.filter(totp_enabled=True).exclude(totp_secret=""):
        secret = user.totp_secret + "=" * (-len(user.totp_secret) % 8)
        key = hexlify(b32decode(secret, casefold=True)).decode()
        TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, confirmed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_unit_emergencyaccess"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(secrets_to_devices, migrations.RunPython.noop),
        migrations.RemoveField(model_name="user", name="failed_login_count"),
        migrations.RemoveField(model_name="user", name="locked_until"),
        migrations.RemoveField(model_name="user", name="totp_secret"),
        migrations.RemoveField(model_name="user", name="totp_enabled"),
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(default=False),
        ),
    ]

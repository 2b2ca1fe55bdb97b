"""English (en, en-us): the formats set in settings, which Django would otherwise replace with its locale's.

Read from the settings so the product's formats are written down once; imported by Django on first use,
after the settings are loaded.
"""

from django.conf import settings

DATE_FORMAT = settings.DATE_FORMAT
DATETIME_FORMAT = settings.DATETIME_FORMAT
TIME_FORMAT = settings.TIME_FORMAT
SHORT_DATE_FORMAT = settings.SHORT_DATE_FORMAT
SHORT_DATETIME_FORMAT = settings.SHORT_DATETIME_FORMAT

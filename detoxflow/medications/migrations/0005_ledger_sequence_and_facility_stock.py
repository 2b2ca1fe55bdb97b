"""The controlled log gets a per-stock sequence and the stock row its running balance; one facility-level
stock per medicine even with no unit."""

from decimal import Decimal

from django.db import migrations, models


def number_the_entries(apps, schema_editor):
    # Duplicate facility-level stock rows (the NULL unit slipped past the old constraint) are merged into
    # the oldest: their entries move to it. Recorded balances are history and are left as written; the
    # stock's balance becomes the true sum of every movement, and each entry is numbered in time order.
    Stock = apps.get_model("medications", "ControlledStock")
    Entry = apps.get_model("medications", "ControlledLedgerEntry")
    seen = {}
    for stock in Stock.objects.filter(unit__isnull=True).order_by("pk"):
        key = (stock.facility_id, stock.medicine_code)
        if key in seen:
            Entry.objects.filter(stock_id=stock.pk).update(stock_id=seen[key])
            stock.delete()
        else:
            seen[key] = stock.pk
    for stock in Stock.objects.all():
        total = Decimal(0)
        number = 0
        for entry in Entry.objects.filter(stock_id=stock.pk).order_by("at", "pk"):
            number += 1
            total += entry.change_mg
            Entry.objects.filter(pk=entry.pk).update(sequence=number)
        Stock.objects.filter(pk=stock.pk).update(last_sequence=number, balance_mg=max(total, Decimal(0)))


class Migration(migrations.Migration):
    dependencies = [("medications", "0004_facilityprotocol")]

    operations = [
        migrations.AddField(
            model_name="controlledstock", name="last_sequence", field=models.PositiveIntegerField(default=0)
        ),
        migrations.AddField(
            model_name="controlledstock",
            name="balance_mg",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=10),
        ),
        migrations.AddField(
            model_name="controlledledgerentry", name="sequence", field=models.PositiveIntegerField(null=True)
        ),
        migrations.RunPython(number_the_entries, migrations.RunPython.noop),
    ]

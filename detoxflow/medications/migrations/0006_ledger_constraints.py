"""After the entries are numbered (0005, its own transaction so PostgreSQL has no pending trigger events),
the sequence is required and the constraints that keep the log honest are added."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("medications", "0005_ledger_sequence_and_facility_stock")]

    operations = [
        migrations.AlterField(
            model_name="controlledledgerentry", name="sequence", field=models.PositiveIntegerField()
        ),
        migrations.AlterModelOptions(
            name="controlledledgerentry",
            options={"ordering": ["stock", "sequence"], "verbose_name_plural": "controlled ledger entries"},
        ),
        migrations.AddConstraint(
            model_name="controlledstock",
            constraint=models.UniqueConstraint(
                condition=models.Q(unit__isnull=True),
                fields=("facility", "medicine_code"),
                name="one_facility_stock_per_medicine",
            ),
        ),
        migrations.AddConstraint(
            model_name="controlledstock",
            constraint=models.CheckConstraint(condition=models.Q(balance_mg__gte=0), name="stock_never_below_zero"),
        ),
        migrations.AddConstraint(
            model_name="controlledledgerentry",
            constraint=models.UniqueConstraint(fields=("stock", "sequence"), name="one_entry_per_stock_sequence"),
        ),
        migrations.AddConstraint(
            model_name="controlledledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(balance_mg__gte=0), name="ledger_balance_never_below_zero"
            ),
        ),
    ]

using SalesKpi.Storage;

namespace SalesKpi.Tests.Storage;

public class AuditLogTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [SkippableFact]
    public void Rows_come_back_newest_first_and_a_rolled_back_transaction_leaves_none()
    {
        using var ws = Ws.Create(dir);
        var at = new DateTime(2026, 11, 15, 9, 0, 0, DateTimeKind.Utc);
        AuditLog.Record(ws, at, "anna", "targets.set", "leads|2027-Q1|", "{\"version\":2}");
        AuditLog.Record(ws, at.AddMinutes(1), "boris", "params.set", "response_sla_hours", "{\"value\":\"2\"}");
        using (ws.BeginTransaction())
        {
            AuditLog.Record(ws, at.AddMinutes(2), "carl", "import", "#7", "{}");
        }

        var rows = AuditLog.Recent(ws, 10);

        rows.Select(r => r.User).ShouldBe(["boris", "anna"]);
        rows[1].ShouldBe(new AuditEntry(rows[1].Id, at, "anna", "targets.set", "leads|2027-Q1|", "{\"version\":2}"));
        rows[0].Id.ShouldBeGreaterThan(rows[1].Id);
        AuditLog.Recent(ws, 1).Single().User.ShouldBe("boris");
    }
}

using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Application;

/// <summary>A defaulted period after the data's end says where the data is, so "no data" is not read as "nothing happened".</summary>
public sealed class DefaultPeriodHintTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string db;

    public DefaultPeriodHintTests()
    {
        db = dir.File("w.duckdb");
        using var ws = Workspace.Create(db, new WorkspaceSettings("Europe/Moscow", "RUB"), FixedClock.At("2025-01-01T00:00:00Z"));

        // The last lead is created on 31 December 2025 at 22:00 UTC, which is 1 January 2026 in Moscow.
        ws.Execute("INSERT INTO leads (lead_id, created_at, file_id, source_line) VALUES ('A', TIMESTAMP '2025-03-05 10:00', 0, 0), ('B', TIMESTAMP '2025-12-31 22:00', 0, 0)");
    }

    public void Dispose() => dir.Dispose();

    private RequestContext Ctx(string now) => new(Language.En, FixedClock.At(now), "t", db);

    [Fact]
    public void A_defaulted_year_after_the_data_names_the_year_the_data_ends_in()
    {
        var answer = new ReportService().Run(new ReportQuery(null, null, null, [], ["leads"]), Ctx("2027-05-01T00:00:00Z"));

        var hint = answer.Warnings.ShouldHaveSingleItem();
        hint.Code.ShouldBe("period.default_has_no_data");
        hint.Render(Language.En).ShouldBe("note: the default period 2027 has no data: your data ends 2026-01-01; give --period 2026 (or another period) to see it.");
        hint.Render(Language.Ru).ShouldStartWith("примечание: в периоде по умолчанию 2027 нет данных: ваши данные заканчиваются 2026-01-01; укажите --period 2026");
    }

    [Fact]
    public void A_defaulted_quarter_after_the_data_names_the_quarter_the_data_ends_in()
    {
        var answer = new ScorecardService().Run(new ScorecardQuery(null, null, null), Ctx("2026-08-01T00:00:00Z"));

        answer.Warnings.ShouldContain(w => w.Code == "period.default_has_no_data" && w.Render(Language.En).Contains("give --period 2026-Q1", StringComparison.Ordinal));
    }

    [Fact]
    public void No_hint_when_the_period_is_given_or_the_default_period_has_data()
    {
        new ReportService().Run(new ReportQuery("2027", null, null, [], ["leads"]), Ctx("2027-05-01T00:00:00Z")).Warnings.ShouldBeEmpty();
        new ReportService().Run(new ReportQuery(null, null, null, [], ["leads"]), Ctx("2026-05-01T00:00:00Z")).Warnings.ShouldBeEmpty();
    }
}

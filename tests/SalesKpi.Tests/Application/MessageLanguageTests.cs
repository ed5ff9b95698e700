using System.Text.Json.Nodes;
using SalesKpi.Application;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Application;

/// <summary>
/// Results carry messages, not text: each caller renders them in its own language, and a stored snapshot
/// renders in whoever reads it.
/// </summary>
public sealed class MessageLanguageTests : IDisposable
{
    private static readonly FixedClock Clock = FixedClock.At("2026-02-15T12:00:00Z");

    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string EmptyWorkspace(string name)
    {
        var path = dir.File(name);
        Workspace.Create(path, new WorkspaceSettings("UTC", "RUB"), Clock).Dispose();
        return path;
    }

    [Fact]
    public async Task Concurrent_report_calls_in_english_and_russian_each_get_reasons_and_notes_in_their_own_language()
    {
        var db = EmptyWorkspace("w.duckdb");
        // cost_per_lead has no owner dimension (a note); without imported leads both KPIs are undefined (a reason).
        var query = new ReportQuery("2026-01", "2026-01-31", null, ["owner"], ["cost_per_lead", "lead_to_sql_rate"]);
        var calls = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            var language = i % 2 == 0 ? Language.En : Language.Ru;
            var ctx = new RequestContext(language, Clock, "t", db) { Wait = TimeSpan.FromSeconds(30) };
            return (language, Json: JsonNode.Parse(ReportOutput.Json(new ReportService().Run(query, ctx).Report, ctx.Language))!);
        })).ToList();

        foreach (var (language, json) in await Task.WhenAll(calls))
        {
            var rate = json["results"]!.AsArray().Single(r => (string?)r!["kpi"] == "lead_to_sql_rate")!;
            ((string?)rate["reason_code"]).ShouldBe("no_data_imported");
            ((string?)json["note_codes"]![0]).ShouldBe("kpi_not_sliced_by");
            if (language == Language.En)
            {
                ((string?)rate["reason"]).ShouldBe("no leads.csv data imported");
                ((string?)json["notes"]![0]).ShouldBe("cost_per_lead is not reported by owner: its dimensions are channel, campaign.");
            }
            else
            {
                ((string?)rate["reason"]).ShouldBe("не импортированы данные leads.csv");
                ((string?)json["notes"]![0]).ShouldBe("cost_per_lead не считается в разрезе owner: его измерения — channel, campaign.");
            }
        }
    }

    [Fact]
    public void A_snapshot_taken_in_english_reads_back_in_russian_with_russian_reasons_and_notes()
    {
        var db = EmptyWorkspace("s.duckdb");
        var en = new RequestContext(Language.En, Clock, "t", db);
        var ru = en with { Language = Language.Ru };
        var (id, taken, _) = new ScorecardService().Snapshot(new ScorecardQuery("2026-Q1", null, null), en);

        var read = JsonNode.Parse(new KpiSystemHistoryService().Snapshot(id, ru))!;
        var leads = read["kpis"]!.AsArray().First(k => (string?)k!["kpi"] == "leads")!;
        ((string?)leads["name"]).ShouldBe("Количество лидов");
        ((string?)leads["reason"]).ShouldBe("не импортированы данные leads.csv");
        ((string?)leads["reason_code"]).ShouldBe("no_data_imported");
        // 2026-Q1 is running on 15 February: the pacing note, in the reader's language and culture.
        ((string?)read["notes"]![0]).ShouldStartWith("2026-Q1 ещё идёт (прошло 51");
        ((string?)read["note_codes"]![0]).ShouldBe("scorecard.period_running");

        // Read in English, the stored snapshot is exactly the scorecard document shown when it was taken.
        new KpiSystemHistoryService().Snapshot(id, en).ShouldBe(ScorecardOutput.Json(taken, Language.En));
    }

    [Fact]
    public void A_snapshot_stored_as_text_by_an_earlier_version_is_shown_as_it_was_stored()
    {
        var db = EmptyWorkspace("old.duckdb");
        var ctx = new RequestContext(Language.Ru, Clock, "t", db);
        var (_, taken, _) = new ScorecardService().Snapshot(new ScorecardQuery("2026-Q1", null, null), ctx with { Language = Language.En });
        var oldPayload = ScorecardOutput.Json(taken, Language.En);
        int id;
        using (var ws = Workspace.Open(db))
        {
            id = Snapshots.Save(ws, taken, "version: 1\n", oldPayload, Clock.GetUtcNow().UtcDateTime);
        }

        new KpiSystemHistoryService().Snapshot(id, ctx).ShouldBe(oldPayload);
    }

    [Fact]
    public void Reading_a_snapshot_that_does_not_exist_names_it_in_the_readers_language()
    {
        var db = EmptyWorkspace("none.duckdb");
        var ex = Should.Throw<SalesKpiException>(() => new KpiSystemHistoryService().Snapshot(7, new RequestContext(Language.Ru, Clock, "t", db)));
        ex.Text.Code.ShouldBe("snapshot.not_found");
        ex.Render(Language.Ru).ShouldStartWith("Снимка 7 нет");
    }

    [Fact]
    public void The_metrics_sources_neither_read_an_ambient_language_nor_a_kpis_ambient_name()
    {
        var metrics = Path.Combine(Repo.Root, "src", "SalesKpi.Metrics");
        var offenders = Directory.EnumerateFiles(metrics, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => l.Text.Contains("Loc.", StringComparison.Ordinal) || l.Text.Contains("kpi.Name", StringComparison.Ordinal) || l.Text.Contains("Def.Name", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        offenders.ShouldBeEmpty();
    }
}

using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Application;

/// <summary>Language and clock travel with each call, so concurrent calls in different languages do not mix.</summary>
public sealed class RequestContextTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Concurrent_report_calls_in_english_and_russian_each_get_their_own_warnings()
    {
        var enDb = dir.File("en.duckdb");
        var ruDb = dir.File("ru.duckdb");
        Workspace.Create(enDb, new WorkspaceSettings("UTC", "RUB"), FixedClock.At("2026-01-01T00:00:00Z")).Dispose();
        File.Copy(enDb, ruDb);
        var clock = FixedClock.At("2026-03-01T12:00:00Z");

        // An as-of after the context's clock is accepted with a warning in the caller's language; the clock is the context's, not the machine's.
        var query = new ReportQuery("2026-Q1", "2026-06-30", null, [], ["leads"]);
        var calls = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            var language = i % 2 == 0 ? Language.En : Language.Ru;
            var answer = new ReportService().Run(query, new RequestContext(language, clock, "t", language == Language.En ? enDb : ruDb) { Wait = TimeSpan.FromSeconds(30) });
            return (language, answer);
        })).ToList();

        foreach (var (language, answer) in await Task.WhenAll(calls))
        {
            var warning = answer.Warnings.ShouldHaveSingleItem();
            if (language == Language.En)
            {
                warning.Render(language).ShouldStartWith("warning: --as-of 2026-06-30 is in the future");
            }
            else
            {
                warning.Render(language).ShouldStartWith("предупреждение: --as-of 2026-06-30 — в будущем");
            }

            // The bucket ends after the context's "now" (March 2026), so it is partial whatever the machine's date.
            answer.Report.Results.ShouldAllBe(r => r.Flags.Contains("partial"));
        }
    }
}

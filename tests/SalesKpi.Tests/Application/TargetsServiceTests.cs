using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Application;

/// <summary>The targets and config use cases called without the CLI: author and time from the request context, notes in its language.</summary>
public class TargetsServiceTests : IDisposable
{
    private readonly TempDir dir = new();

    public TargetsServiceTests() => Ws.Create(dir).Dispose();

    public void Dispose() => dir.Dispose();

    private RequestContext Ctx(string user, Language language = Language.En) =>
        new(language, FixedClock.At("2026-03-01T12:00:00Z"), user, dir.Db) { Wait = TimeSpan.FromSeconds(30) };

    [SkippableFact]
    public void A_target_set_through_the_service_is_stored_by_the_acting_user_at_the_contexts_time()
    {
        var stored = new TargetsService().Set(new SetTargetRequest("win_rate", "2026-Q2", "30%", [], 5, new ChangeNote(null, null)), Ctx("alice"));

        var version = stored.Written.Version.ShouldNotBeNull();
        version.Author.ShouldBe("alice");
        version.AppliedAtUtc.ShouldBe(new DateTime(2026, 3, 1, 12, 0, 0));
        version.Config.Targets.ShouldHaveSingleItem().Value.ShouldBe(0.3m);
        stored.Listing.Targets.ShouldHaveSingleItem().Period.ShouldBe("2026-Q2");
    }

    [SkippableFact]
    public void A_target_for_a_period_governed_by_an_earlier_version_comes_back_with_a_note_in_the_callers_language()
    {
        var service = new TargetsService();
        service.Set(new SetTargetRequest("leads", "2025-Q3", "100", [], 5, new ChangeNote("plan", "2025-01-01")), Ctx("alice"));

        var stored = service.Set(new SetTargetRequest("win_rate", "2025-Q3", "0.3", [], 5, new ChangeNote("late", null)), Ctx("bob", Language.Ru));

        stored.Written.Version.ShouldNotBeNull().Number.ShouldBe(2);
        stored.NotInForce.ShouldHaveSingleItem().Render(Language.Ru).ShouldStartWith("Внимание: 2025-Q3 оценивается по версии 1");
    }

    [SkippableFact]
    public void An_invalid_target_file_lists_every_problem_and_stores_nothing()
    {
        var file = dir.Write("targets.csv", "kpi,period,value\nwin_rate,2026-Q2,abc\nno_such_kpi,2026-Q2,5\n");

        var error = Should.Throw<InvalidInputException>(() => new TargetsService().Import(new ImportTargetsRequest(file, new ChangeNote(null, null)), Ctx("alice")));

        error.Errors.Count.ShouldBe(2);
        error.Errors[0].Render(Language.En).ShouldStartWith(file + ":2:3");
        error.Errors[1].Render(Language.En).ShouldStartWith(file + ":3:1");
        using var ws = SalesKpi.Storage.Workspace.Open(dir.Db);
        ConfigStore.Latest(ws).ShouldBeNull();
    }
}

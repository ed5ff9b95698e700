using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.KpiSystem;

/// <summary>
/// One validated write path: every change of the KPI system — config apply, params, targets set, import
/// and suggest --apply — is checked by the same validator before anything is stored, and a workspace that
/// an older SalesKpi left with an unreadable version can be repaired.
/// </summary>
public class WritePathTests
{
    private static readonly FixedClock Now = FixedClock.At("2026-01-15T12:00:00Z");

    /// <summary>A broken target rule: the target's fields and the code the validator must give.</summary>
    public static TheoryData<string, string, decimal, decimal, string, string> BrokenRules() => new()
    {
        { "win_rate", "2025-Q3", 0.3m, 500m, string.Empty, "KS140" },  // the tolerance that bricked workspaces
        { "win_rate", "2025-Q3", 0.3m, -1m, string.Empty, "KS140" },
        { "win_rate", "2025-Q3", 1.5m, 5m, string.Empty, "KS140" },    // a rate above 100 %
        { "leads", "2025-Q3", -10m, 5m, string.Empty, "KS140" },
        { "nps", "2025-Q3", 101m, 5m, string.Empty, "KS140" },
        { "win_rat", "2025-Q3", 0.3m, 5m, string.Empty, "KS110" },
        { "cost_per_lead", "2025-Q3", 100m, 5m, string.Empty, "KS115" }, // not active in Narrow
        { "win_rate", "2025-W30", 0.3m, 5m, string.Empty, "KS113" },
        { "win_rate", "2025-07-01..2025-07-15", 0.3m, 5m, string.Empty, "KS113" },
        { "win_rate", "2025-Q3", 0.3m, 5m, "campaign", "KS141" },      // a dimension leads have, deals do not
        { "win_rate", "2025-Q3", 0.3m, 5m, "colour", "KS141" },
    };

    private static KpiSystemConfig Narrow => new() { Active = ["leads", "win_rate", "nps"] };

    private static Target T(string kpi, string period, decimal value, decimal tolerance, string dim) => new()
    {
        Kpi = kpi,
        Period = period,
        Value = value,
        TolerancePercent = tolerance,
        Slice = dim.Length == 0 ? ImmutableSortedDictionary<string, string>.Empty : ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(dim, "x")]),
    };

    [SkippableTheory]
    [MemberData(nameof(BrokenRules))]
    public void The_store_refuses_every_broken_target_rule_and_stores_nothing(string kpi, string period, decimal value, decimal tolerance, string dim, string code)
    {
        using var dir = new TempDir();
        using var ws = Ws.Create(dir);
        ConfigStore.Apply(ws, Narrow, "narrow", "ann", Now).ShouldNotBeNull();
        var candidate = Narrow with { Targets = [T(kpi, period, value, tolerance, dim)] };

        var ex = Should.Throw<KpiSystemInvalidException>(() => ConfigStore.Apply(ws, candidate, "try", "ann", Now));

        ex.Issues.Select(i => i.Code).ShouldBe([code]);
        ex.Issues[0].File.ShouldBe("version 2");
        ex.Message.ShouldContain("version 2:");
        ex.Message.ShouldContain("nothing was stored");
        ConfigStore.Versions(ws).Count.ShouldBe(1);
        KpiSystemWriter.Write(ConfigStore.Current(ws)).ShouldBe(ConfigStore.Versions(ws)[0].Document);
    }

    [SkippableFact]
    public void The_target_rules_are_one_list_shared_by_the_file_parser()
    {
        // The same target broken four ways at once: each rule reports once, at its own key.
        var text = "kpis:\n  active: [win_rate]\ntargets:\n  - { kpi: win_rate, period: 2025-W30, value: 2, tolerance: 500, slice: { colour: red } }\n";
        var errors = KpiSystemParser.Parse(text, "k.yaml").Errors;
        errors.Select(e => (e.Code, e.Column)).ShouldBe([("KS113", 30), ("KS140", 47), ("KS140", 61), ("KS141", 75)]);
        TargetRules.Problems(new KpiSystemConfig { Active = ["win_rate"] }, T("win_rate", "2025-W30", 2, 500, "colour")).Select(p => p.Field)
            .ShouldBe(["period", "value", "tolerance", "colour"]);
    }

    [SkippableFact]
    public void Parameters_go_through_the_same_gate()
    {
        using var dir = new TempDir();
        using var ws = Ws.Create(dir);
        var ex = Should.Throw<KpiSystemInvalidException>(() => ConfigStore.Apply(ws, new KpiSystemConfig { Parameters = new KpiParameters { ResponseSlaHours = -1 } }, "try", "ann", Now));
        ex.Issues.Select(i => i.Code).ShouldBe(["KS120"]);
        ConfigStore.Versions(ws).ShouldBeEmpty();
    }

    [SkippableFact]
    public void A_version_an_older_build_stored_unchecked_says_what_is_wrong_and_how_to_repair()
    {
        using var dir = new TempDir();
        using var ws = Ws.Create(dir);
        ConfigStore.Apply(ws, Narrow, "narrow", "ann", Now).ShouldNotBeNull();
        BrickedWorkspace.StoreUnchecked(ws, 2, Narrow with { Targets = [T("win_rate", "2026-Q1", 0.3m, 500m, string.Empty)] });

        var latest = ConfigStore.Latest(ws)!;
        latest.Problems.Select(p => p.Code).ShouldBe(["KS140"]);
        var message = Should.Throw<SalesKpiException>(() => ConfigStore.Current(ws)).Message;
        message.ShouldContain("version 2 (effective from 2026-01-15) cannot be read");
        message.ShouldContain("KS140 tolerance is a percentage from 0 to 100, not 500");
        message.ShouldContain("saleskpi config apply FILE --reason \"repair\" --effective 2026-01-15");

        // The repair is an ordinary apply: it is not blocked by the version it replaces.
        ConfigStore.Apply(ws, Narrow, "repair", "ann", Now, new DateOnly(2026, 1, 15))!.Number.ShouldBe(3);
        KpiSystemWriter.Write(ConfigStore.Current(ws)).ShouldBe(KpiSystemWriter.Write(Narrow));
        ConfigStore.InForce(ws, new DateOnly(2026, 3, 31))!.Number.ShouldBe(3);
    }
}

/// <summary>Reproduces what SalesKpi stored before every write was validated: a version row written as is.</summary>
internal static class BrickedWorkspace
{
    public static void StoreUnchecked(SalesKpi.Storage.Workspace ws, int number, KpiSystemConfig config) =>
        ws.Execute(
            "INSERT INTO kpi_config_versions VALUES ($1, $2, $3, $4, $5, $6)",
            number,
            new DateTime(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc),
            new DateOnly(2026, 1, 15),
            "old build",
            "targets suggest win_rate --apply --tolerance 500",
            KpiSystemWriter.Write(config));
}

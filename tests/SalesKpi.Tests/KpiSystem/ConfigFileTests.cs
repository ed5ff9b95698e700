using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.KpiSystem;

/// <summary>The KPI-system file: parsing, validation with positions and codes, canonical writing and diffs.</summary>
public sealed class ConfigFileTests
{
    [Fact]
    public void The_commented_example_is_valid_and_declares_goals_custom_kpis_and_no_targets()
    {
        var r = KpiSystemParser.Parse(KpiSystemTemplate.Text, "kpi-system.yaml");
        r.Errors.ShouldBeEmpty();
        r.TargetsDeclared.ShouldBeFalse();
        var c = r.Config!;
        c.Goals.Select(g => g.Id).ShouldBe(["grow_revenue", "efficient_acquisition", "fast_cycle", "loyal_customers"]);
        c.Goals[0].Kpis[0].ShouldBe(new GoalKpi("win_rate", 2));
        c.Custom.Select(k => k.Id).ShouldBe(["consulting_win_rate", "sql_to_win_share"]);
        c.ActiveKpis().Count.ShouldBe(20);
        c.Parameters.ToDictionary().ShouldBe(new KpiParameters().ToDictionary());
        c.Parameters.Calendar.ShouldBeNull();
    }

    [Fact]
    public void Every_error_of_a_file_is_reported_at_once_with_line_column_and_code()
    {
        const string yaml = """
            version: 1
            goals:
              - id: revenue
                title: Revenue
                kpis:
                  - { kpi: win_rat, weight: 2 }
                  - { kpi: leads, weight: 0 }
            kpis:
              custom:
                - id: win_rate
                  title: Clash
                  kpi: win_rate
                  filter: { service_line: consulting }
                - id: bad_filter
                  title: Bad
                  kpi: cost_per_lead
                  filter: { owner: Ann }
            parameters:
              lead_to_sql_window_days: -3
              colour: blue
            targets:
              - { kpi: win_rate, period: 2026-W05, value: 0.3 }
              - { kpi: win_rate, period: 2026-Q1, value: 30 }
              - { kpi: leads, period: 2026-Q1, value: 10, tolerance: 150 }
            extra: 1
            """;
        var r = KpiSystemParser.Parse(yaml, "f.yaml");
        r.Config.ShouldBeNull();
        var got = r.Errors.Select(e => (e.Line, e.Column, e.Code)).ToList();
        got.ShouldBe(
            [
                (6, 16, "KS110"), // unknown KPI win_rat
                (7, 31, "KS112"), // weight 0
                (10, 11, "KS133"), // custom id clashes with the catalogue
                (17, 17, "KS141"), // owner is not a dimension of cost_per_lead
                (19, 28, "KS120"), // negative window
                (20, 3, "KS121"), // unknown parameter
                (22, 30, "KS113"), // a week is not a target period
                (23, 46, "KS140"), // ratio written as a percentage
                (24, 58, "KS140"), // tolerance over 100
                (25, 1, "KS101"), // unknown top-level key
            ],
            ignoreOrder: true);
        r.Errors.ShouldAllBe(e => e.File == "f.yaml" && e.Message.Render(Language.En).Length > 10);
        r.Errors.Single(e => e.Code == "KS140" && e.Line == 23).Message.Render(Language.En).ShouldContain("value 30 is out of range for win_rate, a proportion from 0 to 1: write 0.3 for 30 %.");
    }

    [Fact]
    public void A_yaml_syntax_error_names_its_line()
    {
        var r = KpiSystemParser.Parse("goals:\n  - id: a\n    title: [unclosed\n", "f.yaml");
        r.Errors.Single().Code.ShouldBe("KS100");
        r.Errors.Single().Line.ShouldBeGreaterThanOrEqualTo(3);
    }

    [Theory]
    [InlineData("a: [x, y\n", 1, 4, "'[' is not closed")]
    [InlineData("a: { x: 1\nb: 2\n", 1, 4, "'{' is not closed")]
    [InlineData("a:\n  - { k: [1, 2 }\n", 2, 10, "'[' is not closed")]
    [InlineData("goals:\n  - id: a\n    title: \"abc\nkpis: {}\n", 3, 12, "not closed: add the closing \"")]
    [InlineData("goals:\n  - id: a\n    title: 'abc\n", 3, 12, "not closed: add the closing '")]
    [InlineData("a:\n  b: 1\n  \tc: 2\n", 3, 3, "replace the tab with spaces")]
    [InlineData("parameters:\n  a: 1\n b: 2\n", 3, 2, "indentation does not fit")]
    [InlineData("a: { x: 1 }}\n", 1, 12, "'}' closes nothing")]
    [InlineData("parameters:\n  a: 1\n  a: 2\n", 3, 3, "appears twice")]
    public void A_yaml_syntax_error_is_KS100_at_the_place_to_fix_saying_how(string yaml, int line, int column, string advice)
    {
        var e = KpiSystemParser.Parse(yaml, "f.yaml").Errors.ShouldHaveSingleItem();
        (e.Code, e.Line, e.Column).ShouldBe(("KS100", line, column));
        e.Message.Render(Language.En).ShouldContain(advice);
    }

    [Fact]
    public void A_deleted_closing_brace_or_a_tab_in_the_init_file_is_reported_where_it_is()
    {
        // Line 20 of the example is "      - { kpi: win_rate, weight: 2 }": its '{' is column 9.
        var lines = KpiSystemTemplate.Text.Split('\n');
        lines[19].ShouldBe("      - { kpi: win_rate, weight: 2 }");
        var noBrace = string.Join('\n', lines.Select((l, i) => i == 19 ? l[..^2] : l));
        var e = KpiSystemParser.Parse(noBrace, "bad.yaml").Errors.ShouldHaveSingleItem();
        e.ToString().ShouldStartWith("bad.yaml:20:9: KS100 this '{' is not closed: add the matching '}'");

        var tabbed = string.Join('\n', lines.Select((l, i) => i == 20 ? "\t" + l.TrimStart() : l));
        e = KpiSystemParser.Parse(tabbed, "bad.yaml").Errors.ShouldHaveSingleItem();
        e.ToString().ShouldStartWith("bad.yaml:21:1: KS100 a tab is used for indentation");
    }

    [Fact]
    public void A_parameter_written_as_a_mapping_key_is_an_unknown_parameter_not_a_crash()
    {
        var e = KpiSystemParser.Parse("parameters:\n  ? [a]\n  : 1\n", "f.yaml").Errors.ShouldHaveSingleItem();
        (e.Code, e.Line, e.Column).ShouldBe(("KS121", 2, 5));
    }

    [Fact]
    public void Goal_links_and_targets_must_be_active_when_a_selection_is_given()
    {
        const string yaml = """
            goals:
              - id: g
                title: G
                kpis: [win_rate, nps]
            kpis:
              active: [win_rate]
            targets:
              - { kpi: nps, period: "2026", value: 20 }
            """;
        var r = KpiSystemParser.Parse(yaml, "f.yaml");
        r.Errors.Select(e => (e.Line, e.Code)).ShouldBe([(4, "KS115"), (8, "KS115")], ignoreOrder: true);
    }

    [Fact]
    public void A_ratio_of_a_ratio_is_refused_so_definitions_never_loop()
    {
        const string yaml = """
            kpis:
              custom:
                - { id: a, title: A, ratio: { numerator: leads, denominator: win_rate }, direction: higher }
                - { id: b, title: B, ratio: { numerator: a, denominator: leads }, direction: higher }
            """;
        var r = KpiSystemParser.Parse(yaml, "f.yaml");
        r.Errors.Single().Code.ShouldBe("KS130");
        r.Errors.Single().Line.ShouldBe(4);
    }

    [Fact]
    public void The_canonical_text_reads_back_to_the_same_configuration()
    {
        var config = KpiSystemParser.Parse(KpiSystemTemplate.Text, "t").Config! with
        {
            Parameters = new KpiParameters { ResponseSlaHours = 0.5, Calendar = new BusinessCalendar { Holidays = [new DateOnly(2026, 1, 1)], TimeZone = "Europe/Moscow" } },
            Targets =
            [
                new Target { Kpi = "win_rate", Period = "2026-Q1", Value = 0.3m },
                new Target { Kpi = "leads", Period = "2026-03", Value = 120, TolerancePercent = 10, Slice = System.Collections.Immutable.ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("owner", "Иванов \"Ваня\" И.")]) },
            ],
        };
        var text = KpiSystemWriter.Write(config);
        var back = KpiSystemParser.Parse(text, "canonical");
        back.Errors.ShouldBeEmpty();
        KpiSystemWriter.Write(back.Config!).ShouldBe(text);
        back.Config!.Targets.Single(t => t.Kpi == "leads").Slice["owner"].ShouldBe("Иванов \"Ваня\" И.");
        back.Config.Parameters.Calendar!.Holidays.ShouldBe([new DateOnly(2026, 1, 1)]);
    }

    [Fact]
    public void A_line_diff_shows_removed_and_added_lines_in_place()
    {
        var diff = LineDiff.Compute("a\nb\nc\n", "a\nB\nc\nd\n");
        diff.Select(l => $"{l.Op}{l.Text}").ShouldBe([" a", "-b", "+B", " c", "+d"]);
    }

    [Theory]
    [InlineData(KpiDirection.Higher, 100, 10, 100, TargetStatus.OnTrack)]
    [InlineData(KpiDirection.Higher, 100, 10, 90, TargetStatus.AtRisk)]
    [InlineData(KpiDirection.Higher, 100, 10, 89.99, TargetStatus.OffTrack)]
    [InlineData(KpiDirection.Lower, 2, 5, 2.1, TargetStatus.AtRisk)]
    [InlineData(KpiDirection.Lower, 2, 5, 2.11, TargetStatus.OffTrack)]
    [InlineData(KpiDirection.Lower, 2, 5, 1, TargetStatus.OnTrack)]
    [InlineData(KpiDirection.Neutral, 4, 25, 5, TargetStatus.OnTrack)]
    [InlineData(KpiDirection.Neutral, 4, 25, 2, TargetStatus.AtRisk)]
    [InlineData(KpiDirection.Neutral, 4, 25, 6.01, TargetStatus.OffTrack)]
    [InlineData(KpiDirection.Higher, -10, 50, -15, TargetStatus.AtRisk)]
    public void Status_uses_the_tolerance_band_in_percent_of_the_target(KpiDirection direction, double target, double tolerance, double value, TargetStatus expected) =>
        TargetRules.Status(direction, new Target { Kpi = "k", Period = "2026", Value = (decimal)target, TolerancePercent = (decimal)tolerance }, (decimal)value).ShouldBe(expected);

    [Fact]
    public void Normal_quantile_inverts_the_cdf()
    {
        Stats.NormalQuantile(0.975).ShouldBe(1.959964, 1e-6);
        Stats.NormalQuantile(0.01).ShouldBe(-2.326348, 1e-6);
        Stats.NormalQuantile(0.5).ShouldBe(0, 1e-12);
    }

    [Theory]
    [InlineData("2026", "2027", Grain.Year)]
    [InlineData("2026-Q4", "2027-Q1", Grain.Quarter)]
    [InlineData("2026-12", "2027-01", Grain.Month)]
    [InlineData("2026-W52", "2026-W53", Grain.Week)]
    [InlineData("2026-W53", "2027-W01", Grain.Week)]
    [InlineData("2025-W52", "2026-W01", Grain.Week)]
    public void Next_is_the_following_period_of_the_same_kind(string label, string next, Grain kind)
    {
        var p = Period.Parse(label);
        p.Kind.ShouldBe(kind);
        p.Next().Label.ShouldBe(next);
        p.Next().Kind.ShouldBe(kind);
    }
}

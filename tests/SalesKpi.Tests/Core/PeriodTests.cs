using SalesKpi.Core;

namespace SalesKpi.Tests.Core;

public sealed class PeriodTests
{
    [Theory]
    [InlineData("2025", "2025-01-01", "2026-01-01", "2025")]
    [InlineData("2025-Q3", "2025-07-01", "2025-10-01", "2025-Q3")]
    [InlineData("2025-09", "2025-09-01", "2025-10-01", "2025-09")]
    [InlineData("2025-W36", "2025-09-01", "2025-09-08", "2025-W36")]
    [InlineData("2026-W01", "2025-12-29", "2026-01-05", "2026-W01")]
    [InlineData("2025-09-15", "2025-09-15", "2025-09-16", "2025-09-15")]
    [InlineData("2025-01-01..2025-06-30", "2025-01-01", "2025-07-01", "2025-01-01..2025-06-30")]
    public void Every_period_form_parses_to_a_half_open_range(string text, string start, string end, string label)
    {
        var p = Period.Parse(text);
        p.Start.ShouldBe(DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture));
        p.End.ShouldBe(DateOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture));
        p.Label.ShouldBe(label);
    }

    [Theory]
    [InlineData("2025-13")]
    [InlineData("2025-Q5")]
    [InlineData("2025-W54")]
    [InlineData("last month")]
    public void Bad_periods_say_which_forms_are_accepted(string text) =>
        Should.Throw<SalesKpiException>(() => Period.Parse(text)).Message.ShouldContain("2025-01-01..2025-06-30");

    [Fact]
    public void A_range_ending_before_it_starts_is_refused()
    {
        Should.Throw<SalesKpiException>(() => Period.Parse("2025-06-30..2025-01-01")).Message.ShouldContain("ends before it starts");
    }

    [Fact]
    public void Week_grain_follows_iso_weeks_and_cuts_the_edges()
    {
        var buckets = Period.Parse("2025-09").Split(Grain.Week);
        buckets.Select(b => b.Label).ShouldBe(["2025-W36", "2025-W37", "2025-W38", "2025-W39", "2025-09-29..2025-09-30"]);
    }

    [Fact]
    public void Quarter_grain_of_a_year_gives_four_quarters()
    {
        Period.Parse("2025").Split(Grain.Quarter).Select(b => b.Label).ShouldBe(["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]);
        Period.Parse("2025").Split(Grain.Day).Count.ShouldBe(365);
    }

    [Fact]
    public void Previous_period_has_the_same_kind()
    {
        Period.Parse("2025-Q1").Previous().Label.ShouldBe("2024-Q4");
        Period.Parse("2025-01").Previous().Label.ShouldBe("2024-12");
        Period.Parse("2025-W01").Previous().Label.ShouldBe("2024-W52");
        Period.Parse("2025-01-11..2025-01-20").Previous().Label.ShouldBe("2025-01-01..2025-01-10");
    }

    [Fact]
    public void Local_midnight_is_converted_with_the_zone()
    {
        Period.Parse("2025-09").StartUtc(WorkspaceSettings.ResolveZone("Europe/Moscow")).ShouldBe(new DateTime(2025, 8, 31, 21, 0, 0));
    }
}

public sealed class KpiCatalogTests
{
    [Fact]
    public void The_catalogue_has_the_18_kpis_of_the_specification_in_order_with_valid_parameters()
    {
        var all = SalesKpi.Core.Kpis.KpiCatalog.All;
        all.Select(k => k.Number).ShouldBe(Enumerable.Range(1, 18));
        all.Select(k => k.Id).Distinct().Count().ShouldBe(18);
        var names = new SalesKpi.Core.Kpis.KpiParameters().ToDictionary().Keys.ToHashSet();
        all.SelectMany(k => k.Parameters).ShouldAllBe(p => names.Contains(p));
        all.ShouldAllBe(k => k.Families.Length > 0 && k.Dimensions.Length > 0 && k.NameRu.Length > 0 && k.NameEn.Length > 0);
    }
}

public sealed class YearBeforeTests
{
    [Theory]
    [InlineData("2025", "2024")]
    [InlineData("2025-Q3", "2024-Q3")]
    [InlineData("2025-09", "2024-09")]
    [InlineData("2025-W36", "2024-W36")]
    [InlineData("2024-02-29", "2023-02-28")]
    [InlineData("2025-01-01..2025-06-30", "2024-01-01..2024-06-30")]
    public void The_same_period_a_year_before(string period, string expected) =>
        SalesKpi.Core.Period.Parse(period).YearBefore().Label.ShouldBe(expected);
}

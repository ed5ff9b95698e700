using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Tests.Metrics;

public class ParameterValidationTests : IDisposable
{
    // One title per lead; no size, need or source score, so a lead scores 40 when its title matches, else 0.
    private readonly KpiFixture f = new("UTC", ("leads.csv",
        "lead_id,created_at,job_title\n" +
        "L1,2025-09-01,C–Level Officer\n" +
        "L2,2025-09-02,Head of «VIP» desk\n" +
        "L3,2025-09-03,Ассистент № 1\n" +
        "L4,2025-09-04,🚀 Growth\n" +
        "L5,2025-09-05,Cafe\u0301 manager\n" +
        "L6,2025-09-06,O'Neil’s partner\n" +
        "L7,2025-09-07,Clerk\n" +
        "L8,2025-09-08,c.level\n"));

    public void Dispose() => f.Dispose();

    [SkippableTheory]
    [InlineData("c–level", 1)]
    [InlineData("«vip»", 1)]
    [InlineData("№ 1", 1)]
    [InlineData("🚀", 1)]
    [InlineData("cafe\u0301", 1)]
    [InlineData("o'neil’s", 1)]
    [InlineData("c–level,«vip»,№,🚀,\u0301,’", 6)]
    [InlineData("c.level", 1)]
    [InlineData("(", 0)]
    [InlineData("\\", 0)]
    [InlineData("growth|clerk", 0)] // a pattern would match L4 and L7
    [InlineData(".", 1)] // a pattern would match all eight
    [InlineData("c.*", 0)]
    [InlineData("[ck]", 0)]
    [InlineData("%", 0)] // a LIKE pattern would match all eight
    [InlineData("_", 0)]
    [InlineData("c_level", 0)] // a LIKE pattern would match L8
    public void Title_words_match_as_plain_text_whatever_their_characters(string words, int matching)
    {
        var p = new KpiParameters().Set("quality_title_words", words);
        var r = f.One("2025-09", "lead_quality", parameters: p);
        r.N.ShouldBe(8);
        r.Value.ShouldBe(40m * matching / 8);
    }

    [SkippableTheory]
    [InlineData("response_sla_hours", "1e309")]
    [InlineData("response_sla_hours", "-1e309")]
    [InlineData("response_sla_hours", "NaN")]
    [InlineData("response_sla_hours", "Infinity")]
    [InlineData("response_sla_hours", "0")]
    [InlineData("response_sla_hours", "8785")]
    [InlineData("lead_to_sql_window_days", "36501")]
    [InlineData("lead_to_win_window_days", "2147483647")]
    [InlineData("quality_size_bands", "50-10:30")]
    [InlineData("quality_size_bands", "-5-10:30")]
    [InlineData("quality_title_words", "director,c\u0000level")]
    [InlineData("pipeline_stages", "new,pro\nposal")]
    public void A_value_a_report_could_not_use_is_refused_on_write_with_the_accepted_range(string name, string value)
    {
        var ex = Should.Throw<SalesKpiException>(() => new KpiParameters().Set(name, value));
        ex.Message.ShouldStartWith($"'{value}' is not a valid value for {name}: give ");
    }

    [SkippableTheory]
    [InlineData("response_sla_hours", "8784")]
    [InlineData("response_sla_hours", "0.25")]
    [InlineData("lead_to_sql_window_days", "36500")]
    [InlineData("quality_size_bands", "0-0:10,5-5:100")]
    public void The_edges_of_the_accepted_ranges_are_accepted_and_reports_run_with_them(string name, string value)
    {
        var p = new KpiParameters().Set(name, value);
        var r = f.Run("2025-09", ["lead_quality", "lead_to_sql_rate", "lead_response_time"], parameters: p);
        r.Results.Count.ShouldBe(3);
    }

    [SkippableFact]
    public void The_kpi_system_file_refuses_the_same_values()
    {
        var r = KpiSystemParser.Parse("parameters:\n  response_sla_hours: 1e309\n  quality_size_bands: [50-10:30]\n", "f.yaml");
        r.Config.ShouldBeNull();
        r.Errors.Select(e => (e.Line, e.Code)).ShouldBe([(2, "KS120"), (3, "KS120")], ignoreOrder: true);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SalesKpi.Core.Kpis;

namespace SalesKpi.Tests.Cli;

/// <summary>
/// explain prints every KPI's formula with the numbers the report computed: a small hand-made workspace in
/// which every catalogue KPI is defined, and whole numbers with trailing zeros (5 of 10 leads, 8 of 10 customers).
/// </summary>
public sealed partial class ExplainFormulaTests : IDisposable
{
    private const string Period = "2025-Q3";
    private const string AsOf = "2025-12-31";
    private readonly TempDir dir = new();

    public ExplainFormulaTests()
    {
        InProcessCli.Run(dir.Path, "init").Exit.ShouldBe(0);
        var leads = new StringBuilder("lead_id,created_at,channel,qualified_at\n");
        for (var i = 1; i <= 10; i++)
        {
            // L01–L05 qualified two days after creation: 5 of 10 leads become SQL.
            leads.Append(CultureInfo.InvariantCulture, $"L{i:00},2025-07-{i:00},{(i <= 6 ? "ads" : "referral")},{(i <= 5 ? $"2025-07-{i + 2:00}" : string.Empty)}\n");
        }

        dir.Write("data/leads.csv", leads.ToString());
        dir.Write("data/deals.csv", """
            deal_id,created_at,status,closed_at,amount,lead_id
            D1,2025-07-05,won,2025-08-01,1000,L01
            D2,2025-07-06,won,2025-08-10,2000,L02
            D3,2025-07-07,lost,2025-08-15,,L03
            D4,2025-07-08,won,2025-09-01,500,L04
            D5,2025-07-09,open,,,L05

            """.Replace("\r", string.Empty, StringComparison.Ordinal));
        var acts = new StringBuilder("activity_id,occurred_at,type,lead_id,deal_id,direction\n");
        var touches = new[] { ("D1", "L01", 4), ("D2", "L02", 3), ("D4", "L04", 3) };
        var id = 0;
        foreach (var (deal, lead, count) in touches)
        {
            for (var k = 0; k < count; k++)
            {
                acts.Append(CultureInfo.InvariantCulture, $"A{++id:00},2025-07-{10 + k:00} 10:00,{(k % 2 == 0 ? "call" : "meeting")},{lead},{deal},outbound\n");
            }
        }

        dir.Write("data/activities.csv", acts.ToString());
        dir.Write("data/spend.csv", "date,amount,channel\n2025-07-01,1000.50,ads\n2025-08-01,2000,referral\n");
        var customers = new StringBuilder("customer_id,acquired_at,churned_at,channel\n");
        var revenue = new StringBuilder("invoice_id,customer_id,date,amount,cost\n");
        for (var i = 1; i <= 10; i++)
        {
            // Ten customers at the start of the quarter; C09 and C10 leave in it: 8 of 10 retained.
            customers.Append(CultureInfo.InvariantCulture, $"C{i:00},2025-01-15,{(i >= 9 ? "2025-08-20" : string.Empty)},ads\n");
            revenue.Append(CultureInfo.InvariantCulture, $"I{i:00},C{i:00},2025-07-15,100,40\n");
        }

        customers.Append("C11,2025-08-01,,ads\nC12,2025-08-02,,referral\n");
        dir.Write("data/customers.csv", customers.ToString());
        dir.Write("data/revenue.csv", revenue.ToString());
        dir.Write("data/nps.csv", "response_id,responded_at,score,customer_id\nN1,2025-07-20,10,C01\nN2,2025-07-21,9,C02\nN3,2025-07-22,8,C03\nN4,2025-07-23,3,C04\nN5,2025-07-24,10,C05\n");
        var import = InProcessCli.Run(dir.Path, "import", "data");
        import.Exit.ShouldBe(0, import.Out + import.Err);
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Explain_prints_the_numerator_and_denominator_of_the_report_for_every_kpi()
    {
        var report = InProcessCli.Run(dir.Path, "report", "--period", Period, "--as-of", AsOf, "--format", "json");
        report.Exit.ShouldBe(0, report.Err);
        using var doc = JsonDocument.Parse(report.Out);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("kpi").GetString()!);
        var en = CultureInfo.GetCultureInfo("en-US");
        var withParts = 0;
        foreach (var kpi in KpiCatalog.All)
        {
            var r = results[kpi.Id];
            r.GetProperty("value").ValueKind.ShouldBe(JsonValueKind.Number, $"the fixture must define {kpi.Id}");
            var explain = InProcessCli.Run(dir.Path, "explain", kpi.Id, "--period", Period, "--as-of", AsOf);
            explain.Exit.ShouldBe(0, explain.Err);
            var line = FormulaLine().Match(explain.Out);
            line.Success.ShouldBeTrue($"{kpi.Id}: no formula line in\n{explain.Out}");
            line.Groups["kpi"].Value.ShouldBe(kpi.Id);
            var formula = line.Groups["formula"].Value;
            var value = formula;
            if (r.TryGetProperty("numerator", out var num) && r.TryGetProperty("denominator", out var den))
            {
                withParts++;
                var parts = Regex.Match(formula, @"^(?<num>\S+) ÷ (?<den>\S+) = (?<value>.+)$");
                parts.Success.ShouldBeTrue($"{kpi.Id}: '{formula}' is not 'a ÷ b = value'");
                decimal.Parse(parts.Groups["num"].Value, NumberStyles.Number, en).ShouldBe(Math.Round(num.GetDecimal(), 4), $"{kpi.Id} numerator in '{formula}'");
                decimal.Parse(parts.Groups["den"].Value, NumberStyles.Number, en).ShouldBe(Math.Round(den.GetDecimal(), 4), $"{kpi.Id} denominator in '{formula}'");
                value = parts.Groups["value"].Value;
            }
            else
            {
                formula.ShouldNotContain("÷", Case.Sensitive, $"{kpi.Id} has no numerator in the report");
            }

            // The value as shown: its number (a percentage for ratios) within the rounding of the digits shown.
            var shown = Regex.Match(value, @"[+-]?\d[\d,]*(\.(?<frac>\d+))?");
            shown.Success.ShouldBeTrue($"{kpi.Id}: no number in '{value}'");
            var expected = r.GetProperty("value").GetDecimal() * (value.Contains('%', StringComparison.Ordinal) ? 100 : 1);
            var half = 0.5m / (decimal)Math.Pow(10, shown.Groups["frac"].Length) + 1e-9m;
            Math.Abs(decimal.Parse(shown.Value, NumberStyles.Number, en) - expected).ShouldBeLessThanOrEqualTo(half, $"{kpi.Id}: '{value}' vs {expected}");
        }

        withParts.ShouldBeGreaterThanOrEqualTo(8);
    }

    [Fact]
    public void Whole_numbers_keep_their_zeros_and_the_user_culture_groups_digits()
    {
        InProcessCli.Run(dir.Path, "explain", "lead_to_sql_rate", "--period", Period, "--as-of", AsOf).Out.ShouldContain("lead_to_sql_rate = 5 ÷ 10 = 50.0 %");
        InProcessCli.Run(dir.Path, "explain", "retention_rate", "--period", Period, "--as-of", AsOf).Out.ShouldContain("retention_rate = 8 ÷ 10 = 80.0 %");
        InProcessCli.Run(dir.Path, "explain", "cost_per_lead", "--period", Period, "--as-of", AsOf).Out.ShouldContain("cost_per_lead = 3,000.5 ÷ 10 = 300.05 RUB");
        var ru = InProcessCli.Run(dir.Path, "explain", "cost_per_lead", "--period", Period, "--as-of", AsOf, "--lang", "ru").Out;
        var group = CultureInfo.GetCultureInfo("ru-RU").NumberFormat.NumberGroupSeparator;
        ru.ShouldContain($"cost_per_lead = 3{group}000,5 ÷ 10 = 300,05 RUB");
    }

    [GeneratedRegex(@"^(?<kpi>[a-z_]+) = (?<formula>.+?)   n = ", RegexOptions.Multiline)]
    private static partial Regex FormulaLine();
}

using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Tests.Metrics;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Import;

/// <summary>
/// Real public exports from ../shared/datasets (never copied into the repository) imported through the
/// profiles in samples/profiles; key figures are recomputed here straight from the raw CSV, with a
/// plain split (neither file quotes its fields), independently of the import.
/// </summary>
public sealed class RealDatasetTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static string Datasets => DatasetFactAttribute.Root;

    private static string Profile(string name) => Path.Combine(ConsistencyTests.RepoRoot(), "samples", "profiles", name + ".yaml");

    private static List<Dictionary<string, string>> Raw(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(l => header.Zip(l.Split(',')).ToDictionary(x => x.First, x => x.Second))];
    }

    [DatasetFact("crm-sales-opportunities")]
    public void Crm_sales_opportunities_win_rate_per_agent_and_days_from_engage_to_close_match_the_raw_file()
    {
        var file = Path.Combine(Datasets, "crm-sales-opportunities", "sales_pipeline.csv");
        var raw = Raw(file);
        using var ws = Ws.Create(dir);
        var report = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [file], Profile = MappingProfile.Load(Profile("crm-sales-opportunities")) });

        report.Read.ShouldBe(raw.Count);
        report.Rejected.ShouldBe(raw.Count(r => r["engage_date"].Length == 0)); // Prospecting: no engage date yet
        report.Stored.ShouldBe(raw.Count(r => r["engage_date"].Length > 0));

        var engine = new KpiEngine(ws);
        var all = new ReportRequest { Period = Period.Parse("2016-01-01..2018-12-31"), By = ["owner"], Kpis = [KpiCatalog.Get("win_rate"), KpiCatalog.Get("sales_cycle_length")], AsOf = KpiFixture.At("2026-01-01T00:00:00Z") };
        var results = engine.Run(all).Results;
        var closed = raw.Where(r => r["deal_stage"] is "Won" or "Lost").ToList();
        foreach (var agent in closed.GroupBy(r => r["sales_agent"]))
        {
            var won = agent.Count(r => r["deal_stage"] == "Won");
            var wr = results.Single(r => r.Kpi.Id == "win_rate" && r.Slice.GetValueOrDefault("owner") == agent.Key);
            (wr.Numerator, wr.Denominator).ShouldBe(((decimal?)won, (decimal?)agent.Count()), agent.Key);
        }

        DateTime D(string s) => DateTime.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var meanDays = closed.Where(r => r["deal_stage"] == "Won").Average(r => (D(r["close_date"]) - D(r["engage_date"])).TotalDays);
        results.Single(r => r.Kpi.Id == "sales_cycle_length" && r.IsTotal).Value.ShouldBeAbout(meanDays, 1e-9);
    }

    [DatasetFact("olist-marketing-funnel")]
    public void Olist_leads_per_origin_and_won_deals_match_the_raw_files()
    {
        var folder = Path.Combine(Datasets, "olist-marketing-funnel");
        var leads = Raw(Path.Combine(folder, "olist_marketing_qualified_leads_dataset.csv"));
        var deals = Raw(Path.Combine(folder, "olist_closed_deals_dataset.csv"));
        using var ws = Ws.Create(dir);
        var report = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [folder], Profile = MappingProfile.Load(Profile("olist-marketing-funnel")) });
        (report.Read, report.Stored, report.Rejected).ShouldBe((leads.Count + deals.Count, (long)(leads.Count + deals.Count), 0L));
        report.Files.SelectMany(f => f.Warnings).ShouldBeEmpty(); // every deal's lead exists

        var results = new KpiEngine(ws).Run(new ReportRequest
        {
            Period = Period.Parse("2015-01-01..2019-12-31"),
            By = ["channel"],
            Kpis = [KpiCatalog.Get("leads"), KpiCatalog.Get("win_rate")],
            AsOf = KpiFixture.At("2026-01-01T00:00:00Z"),
        }).Results;
        foreach (var origin in leads.GroupBy(r => r["origin"].Length == 0 ? "(none)" : r["origin"]))
        {
            results.Single(r => r.Kpi.Id == "leads" && r.Slice.GetValueOrDefault("channel") == origin.Key).Value.ShouldBe(origin.Count(), origin.Key);
        }

        var total = results.Single(r => r.Kpi.Id == "win_rate" && r.IsTotal);
        (total.Numerator, total.Denominator).ShouldBe(((decimal?)deals.Count, (decimal?)deals.Count)); // every closed deal is won
    }

    [DatasetFact("olist-marketing-funnel")]
    public void Olist_cycle_from_the_leads_first_contact_matches_the_raw_files()
    {
        // The export records no moment a deal was opened, only when it was won; the lead's first contact
        // is the earliest moment of the cycle it has, taken through the cycle_start = lead parameter.
        var folder = Path.Combine(Datasets, "olist-marketing-funnel");
        var firstContact = Raw(Path.Combine(folder, "olist_marketing_qualified_leads_dataset.csv"))
            .ToDictionary(r => r["mql_id"], r => DateTime.ParseExact(r["first_contact_date"], "dd-MM-yyyy", CultureInfo.InvariantCulture));
        var march = Raw(Path.Combine(folder, "olist_closed_deals_dataset.csv"))
            .Select(r => (Lead: r["mql_id"], Won: DateTime.ParseExact(r["won_date"], "dd-MM-yyyy HH:mm", CultureInfo.InvariantCulture)))
            .Where(d => d.Won >= new DateTime(2018, 3, 1) && d.Won < new DateTime(2018, 4, 1))
            .ToList();
        using var ws = Ws.Create(dir);
        new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [folder], Profile = MappingProfile.Load(Profile("olist-marketing-funnel")) });

        var results = new KpiEngine(ws).Run(new ReportRequest
        {
            Period = Period.Parse("2018-03"),
            Kpis = [KpiCatalog.Get("sales_cycle_length")],
            AsOf = KpiFixture.At("2026-01-01T00:00:00Z"),
            Parameters = new KpiParameters { CycleStart = CycleStart.Lead },
        }).Results;

        var cycle = results.Single(r => r.Kpi.Id == "sales_cycle_length" && r.IsTotal);
        // docs/kpis.md: a negative duration from bad data counts as 0 (one March deal is won before its lead's first contact).
        cycle.Value.ShouldBeAbout(march.Average(d => Math.Max(0, (d.Won - firstContact[d.Lead]).TotalDays)), 1e-9);
    }

    [DatasetFact("crm-sales-opportunities")]
    public void Crm_folder_through_its_profile_reads_only_the_pipeline_file()
    {
        var folder = Path.Combine(Datasets, "crm-sales-opportunities");
        var pipeline = Raw(Path.Combine(folder, "sales_pipeline.csv"));
        using var ws = Ws.Create(dir);

        var report = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [folder], Profile = MappingProfile.Load(Profile("crm-sales-opportunities")) });

        report.Files.Select(f => Path.GetFileName(f.Path)).ShouldBe(["sales_pipeline.csv"]);
        report.Skipped.Select(f => Path.GetFileName(f.Path)).ShouldBe(Directory.EnumerateFiles(folder, "*.csv").Select(Path.GetFileName).Where(n => n != "sales_pipeline.csv").Order(StringComparer.Ordinal).ToList());
        report.Read.ShouldBe(pipeline.Count);
    }
}

public sealed class MappingProfileTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private ImportReport Import(SalesKpi.Storage.Workspace ws, string profileYaml, params string[] files)
    {
        var profile = MappingProfile.Load(dir.Write("p.yaml", profileYaml));
        return new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = files.Select(dir.File).ToList(), Profile = profile });
    }

    [Fact]
    public void Windows_1251_semicolons_russian_dates_numbers_and_value_maps_become_canonical_rows()
    {
        using var ws = Ws.Create(dir, "Europe/Moscow");
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var text = "ID;Создана;Этап;Закрыта;Бюджет\r\n"
            + "101;05.09.2025 10:30;Успешно реализовано;20.09.2025 18:00;1 234 567,50\r\n"
            + "102;06.09.2025 11:00;Закрыто и не реализовано;21.09.2025 12:00;\r\n"
            + "103;07.09.2025 12:00;Переговоры;;500\u00A0000\r\n";
        File.WriteAllBytes(dir.File("amo-deals.csv"), System.Text.Encoding.GetEncoding(1251).GetBytes(text));
        var r = Import(ws, """
            name: amo-like
            files:
              - match: amo-*.csv
                entity: deals
                date_formats: ["dd.MM.yyyy HH:mm"]
                columns:
                  deal_id: { concat: ["AMO-", "$ID"] }
                  created_at: Создана
                  closed_at: Закрыта
                  status: { source: Этап, map: { "Успешно реализовано": won, "Закрыто и не реализовано": lost }, default: open }
                  amount: Бюджет
                  stage: Этап
            """, "amo-deals.csv");
        r.Rejected.ShouldBe(0, string.Join("; ", r.Files.Select(f => f.Error)));
        ws.Scalar("SELECT amount FROM deals WHERE deal_id = 'AMO-101'").ShouldBe(1234567.50m);
        ws.Scalar("SELECT string_agg(status, ',' ORDER BY deal_id) FROM deals").ShouldBe("won,lost,open");
        ws.Scalar("SELECT amount FROM deals WHERE deal_id = 'AMO-103'").ShouldBe(500000m);
        ws.Scalar("SELECT created_at FROM deals WHERE deal_id = 'AMO-101'").ShouldBe(new DateTime(2025, 9, 5, 7, 30, 0)); // 10:30 Moscow
        ws.Scalar("SELECT stage FROM deals WHERE deal_id = 'AMO-103'").ShouldBe("Переговоры");
    }

    [Fact]
    public void A_mapped_source_column_missing_from_the_file_rejects_it_naming_the_column_and_the_headers()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads-export.csv", "Id,Date\nL1,2025-01-01\n");
        var r = Import(ws, "files:\n  - match: leads-*.csv\n    entity: leads\n    columns:\n      lead_id: Id\n      created_at: Created\n", "leads-export.csv");
        r.Files.Single().Error!.Render(Language.En).ShouldContain("the file lacks the source columns the profile maps these columns from (| separates alternatives): created_at ← Created. Its columns: Id, Date");
    }

    [Fact]
    public void Rejected_mapped_rows_keep_their_source_lines_and_delimiter()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads-x.csv", "Id;Date\nL1;01.02.2025\nL2;31.02.2025\n");
        var r = Import(ws, "files:\n  - match: leads-*.csv\n    entity: leads\n    date_formats: [dd.MM.yyyy]\n    columns:\n      lead_id: Id\n      created_at: Date\n", "leads-x.csv");
        (r.Stored, r.Rejected).ShouldBe((1L, 1L));
        var rejects = File.ReadAllLines(r.Files.Single().RejectsPath!);
        rejects[0].ShouldBe("Id;Date;_reject_line;_reject_column;_reject_reason");
        rejects[1].ShouldStartWith("L2;31.02.2025;3;created_at;");
    }

    [Fact]
    public void Tab_separated_exports_and_excel_serial_dates_are_understood()
    {
        using var ws = Ws.Create(dir);
        // 45901 days after 1899-12-30 is 2025-09-01; 45901.5 is noon of that day.
        dir.Write("leads-tab.csv", "Id\tCreated\tSource\nL1\t45901\tads\nL2\t45901.5\tseo\n");
        var r = Import(ws, "files:\n  - match: leads-*.csv\n    entity: leads\n    columns:\n      lead_id: Id\n      created_at: Created\n      channel: Source\n", "leads-tab.csv");
        r.Rejected.ShouldBe(0);
        ws.Scalar("SELECT created_at FROM leads WHERE lead_id = 'L1'").ShouldBe(new DateTime(2025, 9, 1));
        ws.Scalar("SELECT created_at FROM leads WHERE lead_id = 'L2'").ShouldBe(new DateTime(2025, 9, 1, 12, 0, 0));
        ws.Scalar("SELECT channel FROM leads WHERE lead_id = 'L2'").ShouldBe("seo");
    }

    [Fact]
    public void A_dry_run_shows_the_mapped_rows_and_stores_and_writes_nothing()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads-x.csv", "Id;Date\nL1;01.02.2025\nL2;31.02.2025\n");
        var profile = MappingProfile.Load(dir.Write("p.yaml", "files:\n  - match: leads-*.csv\n    entity: leads\n    date_formats: [dd.MM.yyyy]\n    columns:\n      lead_id: Id\n      created_at: Date\n"));
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads-x.csv")], Profile = profile, DryRun = true });
        (r.DryRun, r.ExitCode, r.Files.Single().Stored, r.Rejected).ShouldBe((true, 2, 1L, 1L));
        var row = r.Files.Single().Preview.ShouldHaveSingleItem();
        (row["lead_id"], row["created_at"]).ShouldBe(("L1", (object?)new DateTime(2025, 2, 1)));
        r.Files.Single().RejectsPath.ShouldBeNull();
        ws.Count("SELECT count(*) FROM leads").ShouldBe(0);
        ws.Count("SELECT count(*) FROM imports").ShouldBe(0);
        Directory.Exists(dir.File("saleskpi-rejects")).ShouldBeFalse();
    }

    [Fact]
    public void Profile_problems_are_listed_together_and_yaml_errors_name_line_and_column()
    {
        var bad = dir.Write("bad.yaml", "files:\n  - match: x.csv\n    entity: leadz\n  - match: y.csv\n    entity: deals\n    columns:\n      deal_id: Id\n      colour: X\n");
        var ex = Should.Throw<SalesKpiException>(() => MappingProfile.Load(bad));
        ex.Message.ShouldContain("entity 'leadz' is not one of");
        ex.Message.ShouldContain("'colour' is not a column of deals");
        ex.Message.ShouldContain("required column 'created_at' is not mapped");
        var broken = dir.Write("broken.yaml", "files:\n  - match: [unclosed\n");
        Should.Throw<SalesKpiException>(() => MappingProfile.Load(broken)).Message.ShouldContain("line 2");
    }
}

/// <summary>
/// A test over a real data set in ../shared/datasets (or <c>SALESKPI_DATASETS</c>): skipped, with the
/// reason, on a clone without it, so the README's test command passes on a fresh machine; with
/// <c>SALESKPI_REQUIRE_DATASETS=1</c> (set by .ci/run when the data sets are there) it is never skipped,
/// so a missing data set fails the run instead of quietly shrinking it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DatasetFactAttribute : FactAttribute
{
    /// <summary>Skips the test when <paramref name="dataset"/> is absent and data sets are not required.</summary>
    public DatasetFactAttribute(string dataset)
    {
        Dataset = dataset;
        if (!Directory.Exists(Path.Combine(Root, dataset)) && !Required)
        {
            Skip = "data set " + dataset + " not found in " + Root + " (set SALESKPI_DATASETS, or SALESKPI_REQUIRE_DATASETS=1 to fail instead)";
        }
    }

    /// <summary>The data set folder's name under <see cref="Root"/>.</summary>
    public string Dataset { get; }

    /// <summary>Where the data sets are: <c>SALESKPI_DATASETS</c>, else ../shared/datasets beside the repository.</summary>
    public static string Root => Environment.GetEnvironmentVariable("SALESKPI_DATASETS") is { Length: > 0 } env
        ? env
        : Path.GetFullPath(Path.Combine(ConsistencyTests.RepoRoot(), "..", "shared", "datasets"));

    /// <summary>True when a missing data set must fail the test (CI with the data sets present).</summary>
    public static bool Required => Environment.GetEnvironmentVariable("SALESKPI_REQUIRE_DATASETS") == "1";
}

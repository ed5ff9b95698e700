using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Import;

public class ImporterTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private ImportReport Import(Workspace ws, bool strict = false, params string[] files) =>
        new Importer(ws, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions { Paths = files.Select(dir.File).ToList(), Strict = strict });

    private static string Reason(ImportReport r, int line) =>
        File.ReadAllLines(r.Files.Single(f => f.RejectsPath is not null).RejectsPath!)
            .Single(l => l.Contains($",{line},", StringComparison.Ordinal));

    [SkippableFact]
    public void Every_row_is_stored_or_rejected_and_rejected_rows_are_written_unchanged_with_line_column_and_reason()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at,channel\nL1,2025-01-01,ads\nL2,not-a-date,\"ads, paid\"\nL3,2025-01-03,referral\n");
        var r = Import(ws, files: "leads.csv");
        var f = r.Files.Single();
        (f.Read, f.Stored, f.Rejected).ShouldBe((3L, 2L, 1L));
        r.ExitCode.ShouldBe(2);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(2);
        var rejects = File.ReadAllLines(f.RejectsPath!);
        rejects[0].ShouldBe("lead_id,created_at,channel,_reject_line,_reject_column,_reject_reason");
        rejects[1].ShouldStartWith("L2,not-a-date,\"ads, paid\",3,created_at,");
        rejects[1].ShouldContain("is not a timestamp");
    }

    [SkippableTheory]
    [InlineData("lead_id,created_at\n,2025-01-01\n", "lead_id", "is required but empty")]
    [InlineData("lead_id,created_at\nL1,2025-01-01 25:00\n", "created_at", "not a real date and time")]
    [InlineData("lead_id,created_at,company_size\nL1,2025-01-01,-3\n", "company_size", "below the minimum 0")]
    [InlineData("lead_id,created_at,quality_score\nL1,2025-01-01,101\n", "quality_score", "above the maximum 100")]
    [InlineData("lead_id,created_at,company_size\nL1,2025-01-01,12.5\n", "company_size", "not a whole number")]
    [InlineData("lead_id,created_at\nL1,2025-01-01,extra\n", "", "the row has 3 fields but the header has 2")]
    public void Lead_row_errors_name_the_column_and_reason(string csv, string column, string reason)
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", csv);
        var r = Import(ws, files: "leads.csv");
        r.Files.Single().Rejected.ShouldBe(1);
        var line = Reason(r, 2);
        line.ShouldContain($",2,{column},");
        line.ShouldContain(reason);
    }

    [SkippableTheory]
    [InlineData("D1,2025-01-01,pending,,,", "status", "'pending' is not one of: open, won, lost")]
    [InlineData("D1,2025-01-01,won,,100,", "closed_at", "closed_at is required when status is won or lost")]
    [InlineData("D1,2025-01-01,lost,,,", "closed_at", "closed_at is required when status is won or lost")]
    [InlineData("D1,2025-01-01,won,2025-02-01,,", "amount", "amount is required when status is won")]
    [InlineData("D1,2025-01-01,won,2025-02-01,-5,", "amount", "below the minimum 0")]
    [InlineData("D1,2025-01-01,won,2025-02-01,\"1,000\",", "amount", "is not an amount")]
    [InlineData("D1,2025-01-01,won,2025-02-01,10.12345,", "amount", "out of range")]
    [InlineData("D1,2025-01-01,won,2025-02-01,10,RUBLES", "currency", "not a three-letter ISO 4217")]
    public void Deal_row_errors_cover_enums_conditional_requirements_and_money(string row, string column, string reason)
    {
        using var ws = Ws.Create(dir);
        dir.Write("deals.csv", "deal_id,created_at,status,closed_at,amount,currency\n" + row + "\n");
        var r = Import(ws, files: "deals.csv");
        r.Files.Single().Rejected.ShouldBe(1);
        var line = Reason(r, 2);
        line.ShouldContain($",2,{column},");
        line.ShouldContain(reason);
    }

    [SkippableFact]
    public void Open_deal_needs_neither_closed_at_nor_amount_and_currency_is_normalised()
    {
        using var ws = Ws.Create(dir);
        dir.Write("deals.csv", "deal_id,created_at,status,currency\nD1,2025-01-01,OPEN,usd\n");
        Import(ws, files: "deals.csv").ExitCode.ShouldBe(0);
        ws.Scalar("SELECT status || currency FROM deals").ShouldBe("openUSD");
    }

    [SkippableFact]
    public void Duplicate_key_with_different_content_rejects_every_copy_and_identical_copies_merge()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at,channel\nL1,2025-01-01,a\nL1,2025-01-01,b\nL2,2025-01-02,c\nL2,2025-01-02,c\n");
        var f = Import(ws, files: "leads.csv").Files.Single();
        (f.Read, f.Stored, f.Rejected, f.Merged, f.Inserted).ShouldBe((4L, 2L, 2L, 1L, 1L));
        ws.Count("SELECT count(*) FROM leads WHERE lead_id = 'L2'").ShouldBe(1);
        ws.Count("SELECT count(*) FROM leads WHERE lead_id = 'L1'").ShouldBe(0);
        File.ReadAllText(f.RejectsPath!).ShouldContain("lead_id 'L1' appears with different content on lines 2, 3");
    }

    [SkippableFact]
    public void Importing_the_same_files_twice_changes_nothing()
    {
        using var ws = Ws.Create(dir);
        dir.Write("data/leads.csv", "lead_id,created_at,channel\nL1,2025-01-01,a\nL2,2025-01-02,b\n");
        dir.Write("data/deals.csv", "deal_id,created_at,status,closed_at,amount,lead_id\nD1,2025-01-05,won,2025-02-01,100.50,L1\n");
        Import(ws, files: "data");
        var snapshot = ws.Scalar("SELECT string_agg(lead_id || channel, ',' ORDER BY lead_id) FROM leads");
        var second = Import(ws, files: "data");
        second.Files.Sum(f => f.Replaced).ShouldBe(3);
        second.Files.Sum(f => f.Inserted).ShouldBe(0);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(2);
        ws.Count("SELECT count(*) FROM deals").ShouldBe(1);
        ws.Scalar("SELECT string_agg(lead_id || channel, ',' ORDER BY lead_id) FROM leads").ShouldBe(snapshot);
        ws.Scalar("SELECT amount FROM deals").ShouldBe(100.50m);
    }

    [SkippableFact]
    public void A_later_import_replaces_rows_by_key()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at,channel\nL1,2025-01-01,a\n");
        Import(ws, files: "leads.csv");
        dir.Write("leads.csv", "lead_id,created_at,channel\nL1,2025-01-01,b\nL2,2025-01-01,c\n");
        var f = Import(ws, files: "leads.csv").Files.Single();
        (f.Inserted, f.Replaced).ShouldBe((1L, 1L));
        ws.Scalar("SELECT channel FROM leads WHERE lead_id = 'L1'").ShouldBe("b");
    }

    [SkippableFact]
    public void Spend_rows_with_the_same_key_are_summed_in_a_file_and_replaced_across_imports()
    {
        using var ws = Ws.Create(dir);
        dir.Write("spend.csv", "date,amount,channel,campaign\n2025-01-01,100.10,ads,\n2025-01-01,50.20,ads,\n2025-01-01,7,ads,spring\n2025-01-01,1,,\n");
        var f = Import(ws, files: "spend.csv").Files.Single();
        (f.Stored, f.Merged, f.Inserted).ShouldBe((4L, 1L, 3L));
        ws.Scalar("SELECT amount FROM spend WHERE channel = 'ads' AND campaign IS NULL").ShouldBe(150.30m);

        dir.Write("spend.csv", "date,amount,channel\n2025-01-01,20,ads\n2025-01-01,1.5,\n");
        var again = Import(ws, files: "spend.csv").Files.Single();
        again.Replaced.ShouldBe(2);
        ws.Scalar("SELECT amount FROM spend WHERE channel = 'ads' AND campaign IS NULL").ShouldBe(20m);
        ws.Scalar("SELECT amount FROM spend WHERE channel IS NULL AND campaign IS NULL").ShouldBe(1.5m);
        ws.Scalar("SELECT sum(amount) FROM spend").ShouldBe(28.5m);
    }

    [SkippableFact]
    public void Time_order_violations_are_warnings_and_the_rows_are_kept()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at,qualified_at,first_response_at\nL1,2025-01-10,2025-01-09,2025-01-10 01:00\nL2,2025-01-10,2025-01-11,2025-01-09\n");
        dir.Write("deals.csv", "deal_id,created_at,status,closed_at,amount\nD1,2025-02-01,lost,2025-01-31,\n");
        dir.Write("customers.csv", "customer_id,acquired_at,churned_at\nC1,2025-03-01,2025-02-01\n");
        var r = Import(ws, files: ["leads.csv", "deals.csv", "customers.csv"]);
        r.ExitCode.ShouldBe(0);
        r.Stored.ShouldBe(4);
        var leads = r.Files[0].Warnings;
        leads.Single(w => w.Column == "qualified_at").SampleLines.ShouldBe([2L]);
        leads.Single(w => w.Column == "first_response_at").SampleLines.ShouldBe([3L]);
        r.Files[1].Warnings.Single().Message.Render(Language.En).ShouldBe("closed_at is before created_at");
        r.Files[2].Warnings.Single().Message.Render(Language.En).ShouldBe("churned_at is before acquired_at");
        File.ReadAllLines(r.WarningsPath!).Length.ShouldBe(5);
    }

    [SkippableFact]
    public void References_are_checked_after_all_files_so_order_does_not_matter()
    {
        using var ws = Ws.Create(dir);
        // deals.csv sorts before leads.csv, yet D1's lead arrives in the same import: no warning.
        dir.Write("data/deals.csv", "deal_id,created_at,status,lead_id,customer_id\nD1,2025-01-05,open,L1,\nD2,2025-01-05,open,L9,C9\n");
        dir.Write("data/leads.csv", "lead_id,created_at\nL1,2025-01-01\n");
        dir.Write("data/activities.csv", "activity_id,occurred_at,type,deal_id,lead_id\nA1,2025-01-06,call,D1,L1\nA2,2025-01-06,meeting,D7,\n");
        var r = Import(ws, files: "data");
        var deals = r.Files.Single(f => f.Entity == "deals").Warnings;
        deals.Single(w => w.Column == "lead_id").SampleLines.ShouldBe([3L]);
        deals.Single(w => w.Column == "customer_id").Message.Render(Language.En).ShouldBe("customer_id names a customers row that does not exist");
        r.Files.Single(f => f.Entity == "activities").Warnings.Single().SampleLines.ShouldBe([3L]);
        r.Files.Single(f => f.Entity == "leads").Warnings.ShouldBeEmpty();
    }

    [SkippableFact]
    public void Headers_match_case_insensitively_in_any_order_with_bom_crlf_quotes_and_cyrillic()
    {
        using var ws = Ws.Create(dir, "Europe/Moscow");
        dir.Write(
            "leads.csv",
            "NEED,Created_At,LEAD_ID,Job_Title\r\n\"Внедрение CRM, обучение\",2025-01-05 10:00,Л-1,Генеральный директор\r\n\"две\r\nстроки\",2025-01-05T10:00:00+00:00,Л-2,  Руководитель отдела  \r\n",
            bom: true);
        var r = Import(ws, files: "leads.csv");
        r.ExitCode.ShouldBe(0);
        ws.Scalar("SELECT need FROM leads WHERE lead_id = 'Л-1'").ShouldBe("Внедрение CRM, обучение");
        ws.Scalar("SELECT need FROM leads WHERE lead_id = 'Л-2'").ShouldBe("две\r\nстроки");
        ws.Scalar("SELECT job_title FROM leads WHERE lead_id = 'Л-2'").ShouldBe("Руководитель отдела");
        // 10:00 Moscow (UTC+3) without an offset is 07:00 UTC; with +00:00 it stays 10:00 UTC.
        ws.Scalar("SELECT created_at FROM leads WHERE lead_id = 'Л-1'").ShouldBe(new DateTime(2025, 1, 5, 7, 0, 0));
        ws.Scalar("SELECT created_at FROM leads WHERE lead_id = 'Л-2'").ShouldBe(new DateTime(2025, 1, 5, 10, 0, 0));
    }

    [SkippableFact]
    public void Unknown_columns_are_ignored_with_one_warning_per_file()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at,utm_source,Score2\nL1,2025-01-01,x,y\n");
        var f = Import(ws, files: "leads.csv").Files.Single();
        f.IgnoredColumns.ShouldBe(["utm_source", "Score2"]);
        f.Stored.ShouldBe(1);
    }

    [SkippableFact]
    public void A_file_missing_a_required_column_is_rejected_whole_and_other_files_still_import()
    {
        using var ws = Ws.Create(dir);
        dir.Write("data/leads.csv", "lead_id,channel\nL1,ads\nL2,ads\n");
        dir.Write("data/customers.csv", "customer_id,acquired_at\nC1,2025-01-01\n");
        var r = Import(ws, files: "data");
        var leads = r.Files.Single(f => f.Entity == "leads");
        leads.Error.ShouldNotBeNull();
        leads.Error!.Render(Language.En).ShouldContain("created_at");
        leads.Error!.Render(Language.En).ShouldContain("found: lead_id, channel");
        (leads.Read, leads.Rejected).ShouldBe((2L, 2L));
        r.ExitCode.ShouldBe(2);
        ws.Count("SELECT count(*) FROM customers").ShouldBe(1);
    }

    [SkippableFact]
    public void Binary_and_non_utf8_files_are_rejected_whole()
    {
        using var ws = Ws.Create(dir);
        File.WriteAllBytes(dir.File("leads.csv"), [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x14, 0x00]);
        var cp1251 = "lead_id,created_at,need\nL1,2025-01-01,"u8.ToArray().Concat(new byte[] { 0xC2, 0xED, 0xE5, 0xE4, 0xF0, 0xE5, 0xED, 0xE8, 0xE5, 0x0A }).ToArray();
        File.WriteAllBytes(dir.File("customers.csv"), cp1251);
        dir.Write("nps.csv", "response_id,responded_at,score\nR1,2025-01-01,9\n");
        var r = Import(ws, files: ["leads.csv", "customers.csv", "nps.csv"]);
        r.Files[0].Error!.Render(Language.En).ShouldContain("not CSV text");
        r.Files[1].Error!.Render(Language.En).ShouldContain("not UTF-8");
        r.Files[2].Stored.ShouldBe(1);
        ws.Count("SELECT count(*) FROM customers").ShouldBe(0);
    }

    [SkippableFact]
    public void A_file_whose_name_names_no_entity_is_rejected_with_the_expected_names()
    {
        using var ws = Ws.Create(dir);
        dir.Write("contacts.csv", "id\n1\n");
        dir.Write("leads_2025.csv", "lead_id,created_at\nL1,2025-01-01\n");
        dir.Write("deal_stages-q1.csv", "deal_id,stage,entered_at\nD1,proposal,2025-01-01\n");
        var r = Import(ws, files: ["contacts.csv", "leads_2025.csv", "deal_stages-q1.csv"]);
        r.Files[0].Error!.Render(Language.En).ShouldContain("leads.csv");
        r.Files[1].Entity.ShouldBe("leads");
        r.Files[2].Entity.ShouldBe("deal_stages");
    }

    [SkippableFact]
    public void Strict_import_with_any_rejection_stores_nothing()
    {
        using var ws = Ws.Create(dir);
        dir.Write("data/leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,bad\n");
        dir.Write("data/customers.csv", "customer_id,acquired_at\nC1,2025-01-01\n");
        var r = Import(ws, strict: true, files: "data");
        r.RolledBack.ShouldBeTrue();
        r.ExitCode.ShouldBe(1);
        ws.Count("SELECT count(*) FROM leads").ShouldBe(0);
        ws.Count("SELECT count(*) FROM customers").ShouldBe(0);
        ws.Count("SELECT count(*) FROM imports").ShouldBe(0);
    }

    [SkippableFact]
    public void A_fixed_rejects_file_imports_as_is()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,2025-31-01\n");
        var first = Import(ws, files: "leads.csv").Files.Single();
        var fixedText = File.ReadAllText(first.RejectsPath!).Replace("2025-31-01", "2025-01-31", StringComparison.Ordinal);
        dir.Write("leads-fixed.csv", fixedText);
        var second = Import(ws, files: "leads-fixed.csv").Files.Single();
        (second.Stored, second.Rejected).ShouldBe((1L, 0L));
        second.IgnoredColumns.ShouldBeEmpty();
        ws.Count("SELECT count(*) FROM leads").ShouldBe(2);
    }

    [SkippableFact]
    public void Bulk_load_settings_are_restored_after_the_import()
    {
        Skip.If(TestEngine.Postgres, "DuckDB's bulk-load settings; PostgreSQL has none to switch");
        using var ws = Ws.Create(dir);
        var memory = ws.Scalar("SELECT current_setting('memory_limit')");
        var threads = ws.Scalar("SELECT current_setting('threads')");
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\n");
        Import(ws, files: "leads.csv");
        ws.Scalar("SELECT current_setting('memory_limit')").ShouldBe(memory);
        ws.Scalar("SELECT current_setting('disabled_compression_methods')").ShouldBe(string.Empty);
        ws.Scalar("SELECT current_setting('threads')").ShouldBe(threads);
    }

    [SkippableFact]
    public void Import_log_records_each_file()
    {
        using var ws = Ws.Create(dir);
        dir.Write("leads.csv", "lead_id,created_at\nL1,2025-01-01\nL2,x\n");
        Import(ws, files: "leads.csv").ImportId.ShouldBe(1);
        Import(ws, files: "leads.csv").ImportId.ShouldBe(2);
        ws.Count("SELECT count(*) FROM imports").ShouldBe(2);
        ws.Count("SELECT sum(rows_read) - sum(rows_stored) - sum(rows_rejected) FROM import_files").ShouldBe(0);
        ws.Count("SELECT rows_rejected FROM import_files WHERE import_id = 2").ShouldBe(1);
        // Every stored row knows the file and line it came from.
        ws.Count("SELECT count(*) FROM leads l JOIN import_files f USING (file_id) WHERE f.import_id = 2 AND l.lead_id = 'L1' AND l.source_line = 2").ShouldBe(1);
    }

    [SkippableFact]
    public void Every_entity_imports_its_typed_columns()
    {
        using var ws = Ws.Create(dir);
        dir.Write("data/deal_stages.csv", "deal_id,stage,entered_at\nD1,qualification,2025-01-01\nD1,proposal,2025-01-05 12:00\n");
        dir.Write("data/activities.csv", "activity_id,occurred_at,type,direction,duration_minutes\nA1,2025-01-02,Call,outbound,12.5\n");
        dir.Write("data/revenue.csv", "invoice_id,customer_id,date,amount,cost\nI1,C1,2025-01-31,-100.25,0\nI2,C1,2025-02-28,1000,400\n");
        dir.Write("data/nps.csv", "response_id,responded_at,score,comment\nR1,2025-01-01,10,\"Отлично, спасибо\"\nR2,2025-01-01,11,\n");
        var r = Import(ws, files: "data");
        r.Stored.ShouldBe(6);
        r.Files.Single(f => f.Entity == "nps").Rejected.ShouldBe(1);
        ws.Scalar("SELECT duration_minutes FROM activities").ShouldBe(12.5);
        ws.Scalar("SELECT type FROM activities").ShouldBe("call");
        ws.Scalar("SELECT sum(amount - cost) FROM revenue").ShouldBe(499.75m);
        ws.Scalar("SELECT max(entered_at) FROM deal_stages").ShouldBe(new DateTime(2025, 1, 5, 12, 0, 0));
    }
}

using System.Text;
using SalesKpi.Core;
using SalesKpi.Import;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Engine;
using SalesKpi.Tests.Metrics;

namespace SalesKpi.Tests.Import;

/// <summary>
/// The built-in profiles read files in the layouts the CRMs really write (docs/profiles.md lists the evidence), unedited,
/// whatever the files are called: alternatives, optional columns, footers, currency names and signs, placeholders,
/// encodings. The fixtures are written here from the documented layouts; the expected figures are counted by hand
/// from the rows below.
/// </summary>
public sealed class RealLayoutProfileTests : IDisposable
{
    private static readonly UTF8Encoding Utf8Bom = new(true);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void HubSpot_exports_resaved_by_excel_import_unedited_with_any_file_names()
    {
        Write("all-contacts.csv", Utf8Bom,
            "Record ID - Contact,First Name,Create Date,Original Traffic Source,Contact owner,Job Title,Company Name,Company name,Create Date,\"Date entered \"\"Sales Qualified Lead (Lifecycle Stage Pipeline)\"\"\"\n" +
            "101,Amy,2/5/24 1:51,Organic Search,Kim Lee,CEO,Globex,globex,2/5/24 1:51,2/7/24 9:00\n" +
            "102,Tom,2/6/24 14:05,Paid Search,Kim Lee,Buyer,Umbrella,,2/6/24 14:05,\n" +
            "103,Eve,2/9/24 8:00,Offline Sources,Raj Patel,,,,2/9/24 8:00,\n");
        Write("export (3).csv", Utf8Bom,
            "Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Deal owner\n" +
            "9001,Globex,Closed won,1500.5,2/8/24 10:00,2/20/24 12:00,Kim Lee\n" +
            "9002,Umbrella,Closed lost,,2/9/24 11:00,2/21/24 12:00,Kim Lee\n" +
            "9003,Initech,Appointment scheduled,800,2/10/24 9:30,3/30/24 0:00,Raj Patel\n" +
            "9004,Hooli,Demo booked,700,2/11/24 9:30,3/30/24 0:00,Raj Patel\n");

        var (ws, report) = Import("hubspot");
        using (ws)
        {
            report.Rejected.ShouldBe(0, string.Join("; ", report.Files.Select(f => f.Error)));
            ws.Count("SELECT count(*) FROM leads").ShouldBe(3);
            ws.Scalar("SELECT channel FROM leads WHERE lead_id = 'HS-101'").ShouldBe("Organic Search");
            ws.Scalar("SELECT company FROM leads WHERE lead_id = 'HS-101'").ShouldBe("Globex"); // the first of the duplicate headers
            ws.Count("SELECT count(*) FROM leads WHERE qualified_at IS NOT NULL").ShouldBe(1);
            ws.Scalar("SELECT string_agg(status, ',' ORDER BY deal_id) FROM deals").ShouldBe("won,lost,open,open");

            // A stage the map does not list is counted and named with its line, never silently made "open".
            var note = report.Files.SelectMany(f => f.Warnings).Single(w => w.Message.Code == "mapping.unlisted_value");
            note.Message.Render(Language.En).ShouldContain("'Demo booked'");
            (note.Count, note.SampleLines.Single()).ShouldBe((1L, 5L));

            var win = Kpi(ws, "win_rate", "2024-02");
            (win.Numerator, win.Denominator).ShouldBe(((decimal?)1, (decimal?)2));
            Kpi(ws, "lead_to_sql_rate", "2024-02").Value!.Value.ShouldBe(1m / 3m, 1e-9m);
        }
    }

    [Fact]
    public void Salesforce_report_export_with_dollar_amounts_and_footer_lines_imports_unedited()
    {
        Write("report1700000000000.csv", Utf8Bom,
            "Opportunity Name,Stage,Amount,Close Date,Created Date,Opportunity Owner,Type\n" +
            "Globex renewal,Closed Won,\"$12,500.00\",9/30/2025,9/9/2025,Kim Lee,Existing Business\n" +
            "Umbrella,Closed Lost,\"$3,000.00\",9/25/2025,9/10/2025,Kim Lee,New Business\n" +
            "Initech,Negotiation/Review,\"$7,250.50\",10/30/2025,9/12/2025,Raj Patel,New Business\n" +
            ",,,,,,\n" +
            "\"Grand Totals (3 records)\",,\"$22,750.50\",,,,\n" +
            ",,,,,,\n" +
            "\"Confidential Information - Do Not Distribute\",,,,,,\n" +
            "\"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved.\",,,,,,\n");

        var (ws, report) = Import("salesforce");
        using (ws)
        {
            (report.Read, report.Stored, report.Rejected).ShouldBe((3L, 3L, 0L));
            var footer = report.Files.SelectMany(f => f.Warnings).Single(w => w.Message.Code == "mapping.footer_skipped");
            footer.Count.ShouldBe(3);
            ws.Scalar("SELECT amount FROM deals WHERE deal_id = 'SF-O-Initech'").ShouldBe(7250.50m);
            ws.Scalar("SELECT string_agg(status, ',' ORDER BY created_at) FROM deals").ShouldBe("won,lost,open");
            Kpi(ws, "average_deal_size", "2025-09").Value.ShouldBe(12500m);
        }
    }

    [Fact]
    public void Salesforce_data_export_in_windows_1252_takes_status_from_its_flags_gmt_timestamps_and_owner_names_from_user_csv()
    {
        var latin = CodePage(1252);
        Write("User.csv", latin,
            "Id,Username,Name,Title,CompanyName,CreatedDate\n" +
            "0055A,kim@example.com,Kim Lee,VP Sales,Globex,2016-01-01T00:00:00.000Z\n");
        Write("Lead.csv", latin,
            "Id,CreatedDate,LeadSource,OwnerId,Title,Company,Industry,NumberOfEmployees,ConvertedDate,IsConverted\n" +
            "00Q1,2017-01-05T22:30:00.000Z,Web,0055A,Director de Operación,Société Générale,Banking,250,2017-01-09,true\n" +
            "00Q2,2017-01-06T08:00:00.000Z,Partner Referral,0055A,Jefe de Compañía,Müller GmbH,Retail,40,,false\n");
        Write("Opportunity.csv", latin,
            "Id,Name,StageName,Amount,CloseDate,CreatedDate,IsClosed,IsWon,OwnerId,Type,CurrencyIsoCode\n" +
            "0061,Société deal,Closed Won,5000.0,2017-01-20,2017-01-10T09:00:00.000Z,true,true,0055A,New Customer,EUR\n" +
            "0062,Müller deal,Verloren,1200.0,2017-01-22,2017-01-11T09:00:00.000Z,true,false,0055A,New Customer,EUR\n" +
            "0063,Open deal,Prospecting,900.0,2017-03-01,2017-01-12T09:00:00.000Z,false,false,0055B,New Customer,EUR\n");

        var (ws, report) = Import("salesforce");
        using (ws)
        {
            report.Rejected.ShouldBe(0, string.Join("; ", report.Files.Select(f => f.Error)));
            ws.Scalar("SELECT company FROM leads WHERE lead_id = 'SF-00Q1'").ShouldBe("Société Générale"); // read as Windows-1252, not as Cyrillic
            ws.Scalar("SELECT job_title FROM leads WHERE lead_id = 'SF-00Q2'").ShouldBe("Jefe de Compañía");

            // 22:30 GMT is 01:30 the next day in Moscow, the workspace's zone: the timestamp is GMT, not local.
            ws.Scalar("SELECT created_at FROM leads WHERE lead_id = 'SF-00Q1'").ShouldBe(new DateTime(2017, 1, 5, 22, 30, 0));
            ws.Scalar("SELECT string_agg(status, ',' ORDER BY deal_id) FROM deals").ShouldBe("won,lost,open");
            var win = Kpi(ws, "win_rate", "2017-01");
            (win.Numerator, win.Denominator).ShouldBe(((decimal?)1, (decimal?)2));

            // User.csv names the owners and is not itself imported; an id it lacks is kept and reported.
            report.Skipped.Select(f => Path.GetFileName(f.Path)).ShouldBe(["User.csv"]);
            ws.Scalar("SELECT string_agg(owner, ',' ORDER BY deal_id) FROM deals").ShouldBe("Kim Lee,Kim Lee,0055B");
            ws.Scalar("SELECT owner FROM leads WHERE lead_id = 'SF-00Q2'").ShouldBe("Kim Lee");
            var unknown = report.Files.SelectMany(f => f.Warnings).Single(w => w.Message.Code == "mapping.lookup_unlisted");
            (unknown.Message.Render(Language.En), unknown.SampleLines.Single()).ShouldBe(("'0055B' is not in User.csv: kept as it is", 4L));
        }
    }

    [Fact]
    public void Bitrix24_deals_in_utf8_with_bom_semicolons_trailing_separator_and_currency_names_import_unedited()
    {
        Write("deals_export.csv", Utf8Bom,
            "\"ID\";\"Название сделки\";\"Стадия сделки\";\"Сумма\";\"Валюта\";\"Дата создания\";\"Предполагаемая дата закрытия\";\"Ответственный\";\n" +
            "\"11\";\"Поставка\";\"Сделка успешна\";\"150 000,00\";\"Рубль\";\"05.09.2025 10:30:00\";\"20.09.2025\";\"Иванов Иван\";\n" +
            "\"12\";\"Аудит\";\"Сделка провалена\";\"40 000,00\";\"Доллар США\";\"10.09.2025 14:00:00\";\"10.09.2025\";\"Иванов Иван\";\n" +
            "\"13\";\"Внедрение\";\"В работе\";\"90 000,00\";\"Рубль\";\"12.09.2025 09:00:00\";\"30.10.2025\";\"Петрова Анна\";\n");

        var (ws, report) = Import("bitrix24");
        using (ws)
        {
            report.Rejected.ShouldBe(0, string.Join("; ", report.Files.Select(f => f.Error)));
            ws.Scalar("SELECT string_agg(currency, ',' ORDER BY deal_id) FROM deals").ShouldBe("RUB,USD,RUB");
            ws.Scalar("SELECT amount FROM deals WHERE deal_id = 'B24-11'").ShouldBe(150000m);

            // Closed on the day it was created, with no time given: closed at its creation, not 14 hours before it.
            ws.Count("SELECT count(*) FROM deals WHERE deal_id = 'B24-12' AND closed_at = created_at").ShouldBe(1);
            report.Files.SelectMany(f => f.Warnings).Where(w => w.Message.Code == "warning.time_order").ShouldBeEmpty();
            var win = Kpi(ws, "win_rate", "2025-09");
            (win.Numerator, win.Denominator).ShouldBe(((decimal?)1, (decimal?)2));
        }
    }

    [Fact]
    public void AmoCrm_deals_with_a_currency_in_the_budget_header_and_unclosed_placeholders_import_unedited()
    {
        Write("amocrm_export_leads_2025-09-30.csv", Utf8Bom,
            "ID,Название сделки,Бюджет ₸,Ответственный,Дата создания сделки,Дата закрытия,Этап сделки\n" +
            "501,Сделка 1,\"1 500 000 ₸\",Алия,01.09.2025 10:00:00,15.09.2025 12:00:00,Успешно реализовано\n" +
            "502,Сделка 2,200000,Алия,02.09.2025 10:00:00,не закрыта,Переговоры\n" +
            "503,Сделка 3,,Ержан,03.09.2025 10:00:00,20.09.2025 18:00:00,Закрыто и не реализовано\n");

        var (ws, report) = Import("amocrm");
        using (ws)
        {
            report.Rejected.ShouldBe(0, string.Join("; ", report.Files.Select(f => f.Error)));
            ws.Scalar("SELECT amount FROM deals WHERE deal_id = 'AMO-501'").ShouldBe(1500000m);
            ws.Count("SELECT count(*) FROM deals WHERE deal_id = 'AMO-502' AND closed_at IS NULL AND status = 'open'").ShouldBe(1);
            Kpi(ws, "average_deal_size", "2025-09").Value.ShouldBe(1500000m);
        }
    }

    [Fact]
    public void Pipedrive_deals_take_the_close_moment_from_won_or_lost_time()
    {
        Write("deals-2025.csv", Utf8Bom,
            "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Status,Deal - Deal created,Deal - Won time,Deal - Lost time,Deal - Owner,Deal - Stage,Deal - Contact person\n" +
            "1,Alpha,1000,EUR,Won,2025-09-01 10:00:00,2025-09-11 10:00:00,,Ann,Negotiations Started,Bob Stone\n" +
            "2,Beta,500,EUR,Lost,2025-09-02 10:00:00,,2025-09-05 10:00:00,Ann,Qualified,Cara Lim\n" +
            "3,Gamma,700,EUR,Open,2025-09-03 10:00:00,,,Ann,Contact Made,Dan Roe\n");

        var (ws, report) = Import("pipedrive");
        using (ws)
        {
            report.Rejected.ShouldBe(0, string.Join("; ", report.Files.Select(f => f.Error)));
            ws.Scalar("SELECT string_agg(status, ',' ORDER BY deal_id) FROM deals").ShouldBe("won,lost,open");
            ws.Scalar("SELECT closed_at FROM deals WHERE deal_id = 'PD-2'").ShouldNotBeNull();
            Kpi(ws, "sales_cycle_length", "2025-09").Value!.Value.ShouldBe(10m, 1e-9m);
        }
    }

    [Fact]
    public void Bitrix24_excel_export_that_is_an_html_table_saved_as_xls_is_read_and_its_bad_row_rejected_with_its_cells()
    {
        Write("LEAD_20250930.xls", Utf8Bom,
            "<html><head><meta http-equiv=\"Content-type\" content=\"text/html;charset=utf-8\" /></head><body>\n" +
            "<table border=\"1\">\n<tr><th>ID</th><th>Название лида</th><th>Дата создания</th><th>Источник</th><th>Ответственный</th><th>Должность</th></tr>\n" +
            "<tr><td>1</td><td>Лид &amp; партнёр</td><td>05.09.2025 10:30:00</td><td>Веб-сайт</td><td>Иванов Иван</td><td>Директор</td></tr>\n" +
            "<tr><td>2</td><td>Лид 2</td><td>06.09.2025 11:00:00</td><td>Звонок</td><td>Иванов Иван</td><td></td></tr>\n" +
            "<tr><td>3</td><td>Лид 3</td><td>вчера</td><td>Звонок</td><td>Петрова Анна</td><td></td></tr>\n" +
            "</table></body></html>\n");

        var (ws, report) = Import("bitrix24");
        using (ws)
        {
            (report.Read, report.Stored, report.Rejected).ShouldBe((3L, 2L, 1L));
            ws.Scalar("SELECT channel FROM leads WHERE lead_id = 'B24-L-1'").ShouldBe("Веб-сайт");
            ws.Scalar("SELECT job_title FROM leads WHERE lead_id = 'B24-L-1'").ShouldBe("Директор");
            var rejects = File.ReadAllText(report.Files.Single().RejectsPath!);
            rejects.ShouldContain("3,Лид 3,вчера,Звонок,Петрова Анна,,4,created_at");
        }
    }

    [Fact]
    public void Text_that_decodes_to_control_characters_is_reported_with_its_lines()
    {
        Directory.CreateDirectory(dir.File("export"));
        File.WriteAllBytes(dir.File("export/leads-x.csv"), [.. Encoding.ASCII.GetBytes("Id,Created,Title\nL1,2025-01-01,ok\nL2,2025-01-02,Jefe"), 0x81, 0x8D, .. Encoding.ASCII.GetBytes("\n")]);
        var profile = dir.File("p.yaml");
        File.WriteAllText(profile, "files:\n  - match: leads-*.csv\n    entity: leads\n    encoding: windows-1252\n    columns:\n      lead_id: Id\n      created_at: Created\n      job_title: Title\n");
        using var ws = Ws.Create(dir);
        var report = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("export")], Profile = MappingProfile.Load(profile) });

        report.Stored.ShouldBe(2); // nothing is lost: the rows are kept, the reader is told where to look
        var note = report.Files.SelectMany(f => f.Warnings).Single(w => w.Message.Code == "mapping.garbled");
        (note.Count, note.SampleLines.Single()).ShouldBe((1L, 3L));
        note.Message.Render(Language.En).ShouldContain("after decoding as windows-1252");
    }

    [Theory]
    [InlineData("Dirección de Operaciones, Compañía Española, Müller, François, Señor", false)]
    [InlineData("Менеджер по продажам, Иванов Иван, Компания Ромашка", true)]
    public void Single_byte_text_is_read_as_cyrillic_only_when_its_letters_form_words(string text, bool cyrillic)
    {
        var bytes = CodePage(cyrillic ? 1251 : 1252).GetBytes(text);
        SourceFormat.LooksCyrillic(bytes).ShouldBe(cyrillic);
    }

    [Fact]
    public void Utf16_text_with_a_byte_order_mark_is_read()
    {
        Write("hubspot-contacts.txt.csv", new UnicodeEncoding(false, true), "Record ID\tCreate Date\n7\t2025-09-01 10:00\n");
        var (ws, report) = Import("hubspot");
        using (ws)
        {
            report.Rejected.ShouldBe(0, string.Join("; ", report.Files.Select(f => f.Error)));
            ws.Scalar("SELECT lead_id FROM leads").ShouldBe("HS-7");
        }
    }

    private void Write(string name, Encoding encoding, string content)
    {
        Directory.CreateDirectory(dir.File("export"));
        File.WriteAllBytes(dir.File("export/" + name), [.. encoding.GetPreamble(), .. encoding.GetBytes(content)]);
    }

    private (SalesKpi.Storage.Workspace Ws, ImportReport Report) Import(string profile)
    {
        var ws = Ws.Create(dir, "Europe/Moscow");
        var report = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("export")], Profile = MappingProfile.Load(profile) });
        return (ws, report);
    }

    private static KpiResult Kpi(SalesKpi.Storage.Workspace ws, string kpi, string period) =>
        new KpiEngine(ws).Run(new ReportRequest { Period = Period.Parse(period), Kpis = [KpiCatalog.Get(kpi)], AsOf = KpiFixture.At("2026-01-01T00:00:00Z") }).Results.Single(r => r.IsTotal);

    private static Encoding CodePage(int page)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(page);
    }
}

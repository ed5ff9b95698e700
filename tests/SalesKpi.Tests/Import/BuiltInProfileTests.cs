using SalesKpi.Core;
using System.Text;
using SalesKpi.Import;

namespace SalesKpi.Tests.Import;

/// <summary>Each built-in profile on small files written in that CRM's export layout.</summary>
public sealed class BuiltInProfileTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    public static TheoryData<string, string, string, string, string, decimal> Samples => new()
    {
        {
            "amocrm", "utf-8",
            "amocrm-contacts.csv|ID,Имя,Дата создания,Ответственный,Должность,Компания,Источник\n101,Иван,05.09.2025 10:00:00,Петрова Анна,Генеральный директор,ООО Альфа,Сайт\n102,Мария,06.09.2025 11:00:00,Петрова Анна,Менеджер,ООО Бета,Реклама\n",
            "amocrm-deals.csv|ID,Название сделки,Бюджет,Ответственный,Дата создания,Дата закрытия,Этап сделки,Основной контакт ID\n501,Внедрение,\"150 000\",Петрова Анна,07.09.2025 12:00:00,20.09.2025 18:00:00,Успешно реализовано,101\n502,Аудит,,Петрова Анна,08.09.2025 12:00:00,,Переговоры,\n",
            "AMO-C-101", 150000m
        },
        {
            "bitrix24", "windows-1251",
            "bitrix24-leads.csv|ID;Дата создания;Источник;Ответственный;Должность;Название компании\n7;01.09.2025 09:15:00;Звонок;Смирнов Олег;Коммерческий директор;ООО Гамма\n8;02.09.2025 10:00:00;Сайт;Смирнов Олег;;ООО Дельта\n",
            "bitrix24-deals.csv|ID;Дата создания;Дата закрытия;Стадия сделки;Сумма;Валюта;Ответственный;Лид\n11;03.09.2025 12:00:00;25.09.2025 17:00:00;Сделка успешна;99 900,50;RUB;Смирнов Олег;7\n12;04.09.2025 12:00:00;15.09.2025 12:00:00;Сделка провалена;;RUB;Смирнов Олег;8\n",
            "B24-L-7", 99900.50m
        },
        {
            "hubspot", "utf-8",
            "hubspot-contacts.csv|Record ID,First Name,Create Date,Original Source,Contact owner,Job Title,Company Name,Became a Sales Qualified Lead Date\n9001,Ann,2025-09-01 09:00,Organic Search,John Smith,Head of Sales,Acme,2025-09-03 10:00\n9002,Bob,2025-09-02 10:00,Paid Social,John Smith,Analyst,Initech,\n",
            "hubspot-deals.csv|Record ID,Deal Name,Create Date,Close Date,Deal Stage,Amount,Deal owner,Associated Contact IDs\n70,Acme rollout,2025-09-04 12:00,2025-09-30 16:00,Closed Won,5000.00,John Smith,9001\n71,Initech pilot,2025-09-05 12:00,,Appointment Scheduled,800,John Smith,9002\n",
            "", 5000m
        },
        {
            "pipedrive", "utf-8",
            "pipedrive-persons.csv|Person - ID,Person - Name,Person - Person created,Person - Owner,Person - Organization\n31,Olga,2025-09-01 08:00:00,Emily Brown,Nordic LLC\n32,Petr,2025-09-02 08:00:00,Emily Brown,Orion\n",
            "pipedrive-deals.csv|Deal - ID,Deal - Title,Deal - Deal created,Deal - Deal closed on,Deal - Status,Deal - Stage,Deal - Value,Deal - Currency,Deal - Owner,Deal - Lost reason,Deal - Contact person ID\n5,Nordic,2025-09-03 10:00:00,2025-09-20 10:00:00,won,Negotiation,7200,RUB,Emily Brown,,31\n6,Orion,2025-09-04 10:00:00,2025-09-10 10:00:00,lost,Proposal,,RUB,Emily Brown,Price,32\n",
            "PD-P-31", 7200m
        },
        {
            "salesforce", "utf-8",
            "salesforce-leads.csv|Lead ID,First Name,Create Date,Lead Source,Lead Owner,Title,Company / Account,Industry,No. of Employees,Converted Date\n00Q1,Amy,9/5/2025 10:30 AM,Web,Kim Lee,VP Sales,Globex,Retail,250,9/8/2025\n00Q2,Tom,9/6/2025 2:15 PM,Event,Kim Lee,Buyer,Umbrella,Finance,40,\n",
            "salesforce-opportunities.csv|Opportunity ID,Opportunity Name,Created Date,Close Date,Stage,Amount,Opportunity Owner,Type\n006A,Globex renewal,9/9/2025,9/30/2025,Closed Won,\"12,500.00\",Kim Lee,New Business\n006B,Umbrella,9/10/2025,,Prospecting,3000,Kim Lee,New Business\n",
            "", 12500m
        },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Built_in_profile_maps_its_crms_export(string profile, string encoding, string leadsFile, string dealsFile, string wonLead, decimal wonAmount)
    {
        var enc = encoding == "utf-8" ? (Encoding)new UTF8Encoding(false) : CodePage1251();
        Directory.CreateDirectory(dir.File("export"));
        foreach (var spec in new[] { leadsFile, dealsFile })
        {
            var (name, content) = (spec.Split('|', 2)[0], spec.Split('|', 2)[1]);
            File.WriteAllBytes(dir.File("export/" + name), enc.GetBytes(content));
        }

        using var ws = Ws.Create(dir, "Europe/Moscow");
        var report = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("export")], Profile = MappingProfile.Load(profile) });
        report.Rejected.ShouldBe(0, string.Join("; ", report.Files.Select(f => f.Error)));
        ws.Count("SELECT count(*) FROM leads").ShouldBe(2);
        ws.Count("SELECT count(*) FROM deals").ShouldBe(2);
        ws.Count("SELECT count(*) FROM deals WHERE status = 'won' AND closed_at IS NOT NULL").ShouldBe(1);
        ws.Scalar("SELECT amount FROM deals WHERE status = 'won'").ShouldBe(wonAmount);
        ws.Scalar("SELECT coalesce(lead_id, '') FROM deals WHERE status = 'won'").ShouldBe(wonLead);
        // Every linked lead exists and every stage is in the map: the only notes are optional columns the sample lacks.
        report.Files.SelectMany(f => f.Warnings).Where(w => w.Message.Code != "mapping.optional_absent").ShouldBeEmpty();
    }

    [Fact]
    public void Built_in_profiles_are_listed_when_a_profile_is_not_found()
    {
        MappingProfile.BuiltInNames.ShouldBe(["amocrm", "bitrix24", "hubspot", "pipedrive", "salesforce"]);
        Should.Throw<SalesKpi.Core.SalesKpiException>(() => MappingProfile.Load("zoho")).Message.ShouldContain("amocrm, bitrix24, hubspot, pipedrive, salesforce");
    }

    private static Encoding CodePage1251()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1251);
    }
}

public sealed class UnmatchedProfileFileTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_file_neither_name_nor_headers_place_is_rejected_with_what_each_entity_expects()
    {
        using var ws = Ws.Create(dir);
        dir.Write("export.csv", "Name,Phone\nAmy,555\n");
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("export.csv")], Profile = MappingProfile.Load("hubspot") });
        var error = r.Files.Single().Error!.Render(Language.En);
        error.ShouldContain("neither the name nor the header row places this file in profile 'hubspot'");
        error.ShouldContain("leads: Record ID | Record ID - Contact, Create Date");
        error.ShouldContain("deals: Record ID | Record ID - Deal, Create Date, Deal Stage");
        error.ShouldContain("The file has: Name, Phone");
        (r.Files.Single().Read, r.Files.Single().Rejected).ShouldBe((1L, 1L));
    }

    [Fact]
    public void A_file_named_anything_is_placed_by_its_header_row()
    {
        using var ws = Ws.Create(dir);
        dir.Write("export (3).csv", "Record ID,Create Date\n1,2025-09-01 10:00\n");
        var r = new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("export (3).csv")], Profile = MappingProfile.Load("hubspot") });
        r.Files.Single().Entity.ShouldBe("leads");
        ws.Scalar("SELECT lead_id FROM leads").ShouldBe("HS-1");
    }
}

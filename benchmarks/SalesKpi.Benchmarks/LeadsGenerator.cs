using System.Globalization;
using System.Text;

namespace SalesKpi.Benchmarks;

/// <summary>Writes a deterministic canonical leads.csv with every column filled as real exports fill them.</summary>
public static class LeadsGenerator
{
    private static readonly string[] Channels = ["google_ads", "yandex_direct", "referral", "seo", "events", "cold_outbound"];
    private static readonly string[] Owners = ["Иванов И.", "Петрова А.", "Smith J.", "Sidorov P.", "Kuznetsova O."];
    private static readonly string[] Segments = ["SMB", "Mid-market", "Enterprise"];
    private static readonly string[] Regions = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск"];
    private static readonly string[] Industries = ["IT", "Retail", "Manufacturing", "Finance", "Logistics"];
    private static readonly string[] Titles = ["Генеральный директор", "Head of Sales", "Менеджер", "CTO", "Бухгалтер", "Owner"];
    private static readonly string[] Needs = ["Внедрение CRM", "Аудит продаж, обучение", "Consulting", "", "Обучение команды"];

    /// <summary>Writes the same kind of leads as a Bitrix24 export: semicolons, Russian headers, dd.MM.yyyy dates.</summary>
    public static void WriteBitrix(string path, int rows, int seed = 42)
    {
        var rnd = new Random(seed);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write("ID;Название лида;Дата создания;Источник;Ответственный;Должность;Название компании;Статус\n");
        var start = new DateTime(2024, 1, 1);
        for (var i = 0; i < rows; i++)
        {
            var created = start.AddMinutes(rnd.Next(0, 2 * 365 * 24 * 60));
            w.Write(string.Create(
                CultureInfo.InvariantCulture,
                $"{i + 1};Заявка с сайта {i + 1};{created:dd.MM.yyyy HH:mm:ss};{Channels[rnd.Next(Channels.Length)]};{Owners[rnd.Next(Owners.Length)]};{Titles[rnd.Next(Titles.Length)]};Компания {rnd.Next(1, 50_000)};Новый\n"));
        }
    }

    public static void Write(string path, int rows, int seed = 42)
    {
        var rnd = new Random(seed);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write("lead_id,created_at,channel,campaign,owner,segment,region,industry,company,company_size,job_title,need,quality_score,first_response_at,qualified_at,disqualified_at,disqualification_reason\n");
        var start = new DateTime(2024, 1, 1);
        for (var i = 0; i < rows; i++)
        {
            var created = start.AddMinutes(rnd.Next(0, 2 * 365 * 24 * 60));
            var response = created.AddMinutes(rnd.Next(1, 600));
            var qualified = rnd.NextDouble() < 0.3 ? created.AddHours(rnd.Next(1, 500)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : string.Empty;
            var disqualified = qualified.Length == 0 && rnd.NextDouble() < 0.3;
            var need = Needs[rnd.Next(Needs.Length)];
            w.Write(string.Create(
                CultureInfo.InvariantCulture,
                $"L{i},{created:yyyy-MM-dd HH:mm:ss},{Channels[rnd.Next(Channels.Length)]},camp-{rnd.Next(1, 40)},{Owners[rnd.Next(Owners.Length)]},{Segments[rnd.Next(Segments.Length)]},{Regions[rnd.Next(Regions.Length)]},{Industries[rnd.Next(Industries.Length)]},Company {rnd.Next(1, 50_000)},{rnd.Next(1, 3000)},{Titles[rnd.Next(Titles.Length)]},{(need.Contains(',', StringComparison.Ordinal) ? "\"" + need + "\"" : need)},{(rnd.NextDouble() < 0.2 ? rnd.Next(0, 101).ToString(CultureInfo.InvariantCulture) : string.Empty)},{response:yyyy-MM-dd HH:mm:ss},{qualified},{(disqualified ? created.AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty)},{(disqualified ? "no budget" : string.Empty)}\n"));
        }
    }
}

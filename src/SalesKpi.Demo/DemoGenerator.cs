using System.Diagnostics;
using System.Globalization;

namespace SalesKpi.Demo;

/// <summary>What to generate.</summary>
public sealed record DemoOptions
{
    /// <summary>Number of leads; every other entity scales with it (≈ 0.17 deals, 1.6 activities per lead).</summary>
    public long Leads { get; init; } = 20_000;

    /// <summary>Seed: the same seed, size and "now" give byte-identical files.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>When true, about 0.5 % extra rows are realistically broken so the import has something to reject.</summary>
    public bool Dirty { get; init; }

    /// <summary>The local "now" of the workspace: nothing after it is written; history starts nine quarters before its quarter.</summary>
    public required DateTime Now { get; init; }
}

/// <summary>What was generated: rows per file, the history covered and how long it took.</summary>
/// <param name="Rows">Rows written per file name.</param>
/// <param name="Start">First day of the history.</param>
/// <param name="End">The local "now" the history ends at.</param>
/// <param name="Elapsed">Generation time.</param>
public sealed record DemoSummary(IReadOnlyDictionary<string, long> Rows, DateTime Start, DateTime End, TimeSpan Elapsed);

/// <summary>
/// Writes a realistic service company's sales history as canonical CSV files: two years and more with
/// seasonality and growth; channels that differ in cost, quality, conversion and response time; reps
/// that differ in win rate, cycle length and activity; a pipeline whose <c>proposal</c> stage is the
/// bottleneck; lost reasons; deals without leads (upsells); customers from won deals plus an older
/// base; churn; monthly invoices with costs; NPS that depends on segment and service line. Streaming:
/// each lead's whole life is written as it is created, so memory does not grow with the size.
/// </summary>
public static class DemoGenerator
{
    private static readonly Channel[] Channels =
    [
        new("google_ads", 0.28, 7800, 0.30, 0.7, 0.35, ["brand", "crm-search", "retargeting"]),
        new("yandex_direct", 0.25, 5700, 0.24, 1.2, 0.30, ["brand", "crm-search", "rsya"]),
        new("seo", 0.15, 0, 0.27, 3.0, 0.35, ["blog", "landing"]),
        new("referral", 0.10, 0, 0.55, 0.5, 0.55, ["partners", "clients"]),
        new("events", 0.07, 19500, 0.42, 9.0, 0.60, ["expo-moscow", "webinar"]),
        new("cold_outbound", 0.15, 2200, 0.11, 0.25, 0.45, ["sdr-email", "sdr-calls"]),
    ];

    private static readonly Rep[] Reps =
    [
        new("Иванов Иван", 1.05, 0.9, 5),
        new("Петрова Анна", 1.25, 1.0, 7),
        new("Смирнов Олег", 0.75, 1.35, 3),
        new("Kuznetsova Maria", 1.0, 0.8, 4),
        new("John Smith", 0.9, 1.15, 6),
        new("Emily Brown", 1.15, 1.2, 9),
    ];

    private static readonly (string Name, double Weight, double Amount, double CycleMult, double MonthlyChurn, double NpsShift, int MinSize, int MaxSize)[] Segments =
    [
        ("SMB", 0.55, 180_000, 0.8, 0.035, 0.3, 5, 49),
        ("Mid-market", 0.32, 650_000, 1.0, 0.018, 0, 50, 499),
        ("Enterprise", 0.13, 2_400_000, 1.5, 0.009, -0.5, 500, 12_000),
    ];

    private static readonly (string Name, double AmountMult, double Nps)[] ServiceLines =
    [
        ("consulting", 1.0, 8.4), ("implementation", 1.6, 6.9), ("training", 0.45, 8.9), ("support", 0.7, 7.7), ("audit", 0.8, 8.1),
    ];

    private static readonly string[] Stages = ["qualification", "discovery", "proposal", "negotiation"];
    private static readonly double[] StagePass = [0.86, 0.78, 0.47, 0.74];
    private static readonly double[] StageDays = [3, 6, 16, 7];
    private static readonly string[][] LostReasons =
    [
        ["нет бюджета", "no budget"],
        ["не наш профиль", "not a fit"],
        ["цена выше ожиданий", "price too high", "выбрали конкурента", "chose a competitor"],
        ["перенесли на следующий год", "no decision", "timing"],
    ];

    private static readonly string[] Regions = ["Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Almaty"];
    private static readonly string[] Industries = ["IT", "Retail", "Manufacturing", "Finance", "Logistics", "Healthcare"];
    private static readonly string[] DecisionTitles = ["Генеральный директор", "Коммерческий директор", "Head of Sales", "CEO", "Founder", "Руководитель отдела продаж", "VP Operations"];
    private static readonly string[] OtherTitles = ["Менеджер по продажам", "Marketing Manager", "Аналитик", "Office Manager", "Бухгалтер", "Специалист по закупкам"];
    private static readonly string[] Needs = ["Внедрение CRM", "Аудит отдела продаж", "Обучение менеджеров", "Sales process consulting", "Автоматизация отчётности", "Настройка воронки продаж"];
    private static readonly string[] Disqualify = ["нет бюджета", "not a decision maker", "студент / не компания", "duplicate", "вне региона обслуживания"];
    private static readonly string[] CompanyWords = ["Альфа", "Вектор", "Северная звезда", "Техносфера", "Nordic", "Bright", "Meridian", "Гранит", "Orion", "Сфера"];
    private static readonly string[] Comments = ["Отличная команда, всё в срок", "Долго согласовывали договор", "Great workshop", "Хотелось бы больше отчётов", "Support answers fast", string.Empty, string.Empty, string.Empty];
    private static readonly double[] MonthSeason = [0.72, 0.92, 1.12, 1.06, 0.86, 0.92, 0.78, 0.74, 1.16, 1.22, 1.14, 0.88];

    /// <summary>
    /// Writes the canonical files into <paramref name="dir"/> (removing canonical files already there) and returns what was written. The history
    /// is written as two parts (<c>leads-1.csv</c>, <c>leads-2.csv</c>, …: earlier and later days) by two
    /// threads; every day's data depends only on the seed and the day, and ids derive from lead numbers,
    /// so the content does not depend on the split.
    /// </summary>
    public static DemoSummary Write(string dir, DemoOptions options)
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(dir);

        // Files of an earlier demo in the same folder would be imported alongside the new ones.
        foreach (var old in Directory.EnumerateFiles(dir, "*.csv").Where(f => SalesKpi.Core.EntityCatalog.FromFileName(f) is not null))
        {
            File.Delete(old);
        }

        var start = HistoryStart(options.Now);
        var days = (int)(options.Now.Date - start).TotalDays + 1;
        var weights = Enumerable.Range(0, days).Select(d => DayWeight(start.AddDays(d), start)).ToArray();
        var total = weights.Sum();
        var counts = new long[days];
        var first = new long[days];
        double cumulative = 0;
        long emitted = 0;
        for (var d = 0; d < days; d++)
        {
            cumulative += weights[d];
            var target = (long)Math.Round(options.Leads * cumulative / total);
            first[d] = emitted + 1;
            counts[d] = target - emitted;
            emitted = target;
        }

        var split = Array.FindIndex(first, f => f > options.Leads / 2);
        split = split < 0 ? days : split;
        var parts = new[] { new Run(dir, "-1", options, start, 0, split, counts, first, withBase: true), new Run(dir, "-2", options, start, split, days, counts, first, withBase: false) };
        Parallel.ForEach(parts, part => part.Generate());
        var rows = parts.SelectMany(p => p.Rows()).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        return new DemoSummary(rows, start, options.Now, watch.Elapsed);
    }

    /// <summary>The first day of the quarter that starts the history: nine quarters before the quarter of <paramref name="now"/>.</summary>
    public static DateTime HistoryStart(DateTime now)
    {
        var quarterStart = new DateTime(now.Year, (((now.Month - 1) / 3) * 3) + 1, 1);
        return quarterStart.AddMonths(-27);
    }

    private sealed record Channel(string Name, double Share, double CostPerLead, double Qualify, double ResponseHours, double DecisionMakers, string[] Campaigns);

    private sealed record Rep(string Name, double WinBoost, double CycleMult, double Activities);

    /// <summary>xorshift64*: fast, and identical on every platform for a given seed.</summary>
    private struct Rng(ulong seed)
    {
        private ulong s = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

        public double Next()
        {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            return ((s * 2685821657736338717UL) >> 11) * (1.0 / (1UL << 53));
        }

        public int Below(int n) => (int)(Next() * n);

        public T Pick<T>(T[] items) => items[Below(items.Length)];

        public double Normal() => Math.Sqrt(-2 * Math.Log(1 - Next())) * Math.Cos(2 * Math.PI * Next());

        public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * Normal());
    }

    private static double DayWeight(DateTime day, DateTime start)
    {
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.3 : 1.0;
        var growth = Math.Pow(1.18, (day - start).TotalDays / 365.25);
        return MonthSeason[day.Month - 1] * weekend * growth;
    }

    private static ulong Mix(int seed, long stream) =>
        ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ (((ulong)stream + 0x632BE59BD9B4E019UL) * 0xBF58476D1CE4E5B9UL);

    private static readonly string[] Suffixes = [.. Enumerable.Range(0, 1000).Select(k => "-" + k.ToString(CultureInfo.InvariantCulture))];

    private static string Suffix(int k) => k < Suffixes.Length ? Suffixes[k] : "-" + k.ToString(CultureInfo.InvariantCulture);

    private sealed class Run : IDisposable
    {
        private readonly DemoOptions o;
        private readonly DateTime now;
        private readonly int dayFrom, dayTo;
        private readonly long[] counts, firstLead;
        private readonly bool withBase;
        private readonly CsvOut leads, deals, stages, activities, spend, customers, revenue, nps;
        private Rng rng;
        private string unitKey = string.Empty;
        private int unitSeq;
        private long upsellSeq;

        public Run(string dir, string part, DemoOptions options, DateTime start, int dayFrom, int dayTo, long[] counts, long[] firstLead, bool withBase)
        {
            o = options;
            now = options.Now;
            Start = start;
            this.dayFrom = dayFrom;
            this.dayTo = dayTo;
            this.counts = counts;
            this.firstLead = firstLead;
            this.withBase = withBase;
            rng = new Rng(Mix(options.Seed, -1));
            string P(string f) => Path.Combine(dir, f.Replace(".csv", part + ".csv", StringComparison.Ordinal));
            leads = new CsvOut(P("leads.csv"), "lead_id,created_at,channel,campaign,owner,segment,region,industry,company,company_size,job_title,need,quality_score,first_response_at,qualified_at,disqualified_at,disqualification_reason");
            deals = new CsvOut(P("deals.csv"), "deal_id,created_at,status,closed_at,amount,currency,lead_id,customer_id,owner,service_line,segment,region,stage,lost_reason");
            stages = new CsvOut(P("deal_stages.csv"), "deal_id,stage,entered_at");
            activities = new CsvOut(P("activities.csv"), "activity_id,occurred_at,type,lead_id,deal_id,owner,direction,duration_minutes");
            spend = new CsvOut(P("spend.csv"), "date,amount,channel,campaign");
            customers = new CsvOut(P("customers.csv"), "customer_id,acquired_at,churned_at,name,segment,region,channel");
            revenue = new CsvOut(P("revenue.csv"), "invoice_id,customer_id,date,amount,cost");
            nps = new CsvOut(P("nps.csv"), "response_id,responded_at,score,customer_id,comment");
        }

        public DateTime Start { get; }

        public Dictionary<string, long> Rows() => new()
        {
            ["leads.csv"] = leads.Rows, ["deals.csv"] = deals.Rows, ["deal_stages.csv"] = stages.Rows, ["activities.csv"] = activities.Rows,
            ["spend.csv"] = spend.Rows, ["customers.csv"] = customers.Rows, ["revenue.csv"] = revenue.Rows, ["nps.csv"] = nps.Rows,
        };

        public void Generate()
        {
            try
            {
                if (withBase)
                {
                    BaseCustomers();
                }

                Leads();
            }
            finally
            {
                Dispose();
            }
        }

        public void Dispose()
        {
            foreach (var f in new[] { leads, deals, stages, activities, spend, customers, revenue, nps })
            {
                f.Dispose();
            }
        }

        private void Leads()
        {
            var perCampaign = new Dictionary<(int Channel, int Campaign), int>();
            for (var d = dayFrom; d < dayTo; d++)
            {
                var day = Start.AddDays(d);
                rng = new Rng(Mix(o.Seed, d));
                perCampaign.Clear();
                for (var i = 0L; i < counts[d]; i++)
                {
                    var (ch, camp) = Lead(firstLead[d] + i, day);
                    perCampaign[(ch, camp)] = perCampaign.GetValueOrDefault((ch, camp)) + 1;
                }

                Spend(day, perCampaign);
            }
        }

        private (int Channel, int Campaign) Lead(long n, DateTime day)
        {
            var chIndex = PickChannel();
            var ch = Channels[chIndex];
            var campIndex = rng.Below(ch.Campaigns.Length);
            var created = day.AddMinutes(480 + rng.Below(720) + (rng.Next() < 0.1 ? rng.Below(600) - 420 : 0));
            if (created > now)
            {
                created = now.AddMinutes(-rng.Below(60) - 1);
            }

            var rep = rng.Pick(Reps);
            var seg = PickSegment();
            var segment = Segments[seg];
            var decisionMaker = rng.Next() < ch.DecisionMakers;
            var hasNeed = rng.Next() < 0.7;
            var id = "L" + n.ToString("D7", CultureInfo.InvariantCulture);
            (unitKey, unitSeq) = (id, 0);
            var region = rng.Pick(Regions);
            var company = (rng.Next() < 0.75 ? "ООО «" + rng.Pick(CompanyWords) + "»" : rng.Pick(CompanyWords) + " LLC") + " " + rng.Below(9000).ToString(CultureInfo.InvariantCulture);
            var size = segment.MinSize + rng.Below(segment.MaxSize - segment.MinSize + 1);

            // Response: most leads get one; cold outbound is "answered" by the first touch itself.
            DateTime? firstResponse = null;
            DateTime? responseActivity = null;
            if (rng.Next() > 0.07)
            {
                var at = created.AddHours(rng.LogNormal(ch.ResponseHours, 1.1));
                if (at <= now)
                {
                    if (rng.Next() < 0.55)
                    {
                        firstResponse = at;
                    }
                    else
                    {
                        responseActivity = at;
                    }
                }
            }

            var pQualify = ch.Qualify * (decisionMaker ? 1.45 : 0.75) * (hasNeed ? 1.1 : 0.65);
            DateTime? qualified = null, disqualified = null;
            string? reason = null;
            if (rng.Next() < pQualify)
            {
                qualified = created.AddDays(rng.LogNormal(2.5, 0.9));
            }
            else if (rng.Next() < 0.45)
            {
                disqualified = created.AddDays(rng.LogNormal(5, 0.7));
                reason = rng.Pick(Disqualify);
            }

            if (qualified > now)
            {
                qualified = null;
            }

            if (disqualified > now)
            {
                (disqualified, reason) = (null, null);
            }

            leads.Id("L", n, 7).Time(created).Text(ch.Name).Text(ch.Campaigns[campIndex]).Text(rep.Name).Text(segment.Name).Text(region).Text(rng.Pick(Industries))
                .Text(company).Number(size).Text(decisionMaker ? rng.Pick(DecisionTitles) : rng.Pick(OtherTitles)).Text(hasNeed ? rng.Pick(Needs) : null)
                .Number(rng.Next() < 0.08 ? rng.Below(101) : null).Time(firstResponse).Time(qualified).Time(disqualified).Text(reason).End();
            if (responseActivity is { } ra)
            {
                Activity(ra, ch.Name == "cold_outbound" ? "call" : rng.Next() < 0.6 ? "call" : "email", id, null, rep.Name, "outbound");
            }

            if (rng.Next() < 0.15)
            {
                Activity(created.AddMinutes(-rng.Below(30)), "email", id, null, rep.Name, "inbound");
            }

            if (o.Dirty && rng.Next() < 0.005)
            {
                DirtyLead(id);
            }

            if (qualified is { } q && rng.Next() < 0.72)
            {
                Deal("D" + n.ToString("D7", CultureInfo.InvariantCulture), q.AddDays(rng.LogNormal(4, 0.8)), id, null, rep, seg, region, ch.Name, company, "C" + n.ToString("D7", CultureInfo.InvariantCulture));
            }

            return (Array.IndexOf(Channels, ch), campIndex);
        }

        private int PickChannel()
        {
            var x = rng.Next();
            for (var i = 0; i < Channels.Length; i++)
            {
                x -= Channels[i].Share;
                if (x < 0)
                {
                    return i;
                }
            }

            return Channels.Length - 1;
        }

        private int PickSegment()
        {
            var x = rng.Next();
            for (var i = 0; i < Segments.Length; i++)
            {
                x -= Segments[i].Weight;
                if (x < 0)
                {
                    return i;
                }
            }

            return Segments.Length - 1;
        }

        private void Deal(string id, DateTime created, string? leadId, string? customerId, Rep rep, int seg, string region, string channel, string company, string newCustomerId)
        {
            if (created > now)
            {
                return;
            }

            var segment = Segments[seg];
            var line = rng.Pick(ServiceLines);
            var t = created;
            string status = "won";
            string? lostReason = null;
            var stage = Stages[0];
            for (var k = 0; k < Stages.Length; k++)
            {
                if (k == 1 && rng.Next() < 0.06)
                {
                    continue; // some deals jump straight past discovery
                }

                if (t > now)
                {
                    status = "open";
                    break;
                }

                stage = Stages[k];
                stages.Text(id).Text(stage).Time(t).End();
                t = t.AddDays(rng.LogNormal(StageDays[k] * rep.CycleMult * segment.CycleMult, 0.55));
                if (rng.Next() >= Math.Min(0.97, StagePass[k] * Math.Pow(rep.WinBoost, 0.5)))
                {
                    status = "lost";
                    lostReason = rng.Pick(LostReasons[k]);
                    break;
                }
            }

            if (t > now)
            {
                (status, lostReason) = ("open", null);
            }

            var closed = status == "open" ? (DateTime?)null : t;
            var amount = Math.Round((decimal)rng.LogNormal(segment.Amount * line.AmountMult, 0.45) / 1000m) * 1000m;
            var customer = customerId;
            if (status == "won" && customer is null)
            {
                customer = NewCustomer(newCustomerId, closed!.Value, segment, region, channel, company, amount, line);
            }

            deals.Text(id).Time(created).Text(status).Time(closed).Money(status == "lost" && rng.Next() < 0.5 ? null : amount).Text(null)
                .Text(leadId).Text(status == "won" ? customer : null).Text(rep.Name).Text(line.Name).Text(segment.Name).Text(region).Text(stage).Text(lostReason).End();
            if (o.Dirty && rng.Next() < 0.006)
            {
                DirtyDeal(id, created);
            }

            var end = closed ?? now;
            var count = (int)Math.Round(rng.LogNormal(rep.Activities, 0.4));
            for (var i = 0; i < count; i++)
            {
                var at = created.AddMinutes(rng.Next() * (end - created).TotalMinutes);
                var x = rng.Next();
                Activity(at, x < 0.45 ? "call" : x < 0.7 ? "meeting" : x < 0.95 ? "email" : "task", leadId, id, rep.Name, rng.Next() < 0.85 ? "outbound" : "inbound");
            }
        }

        private string NewCustomer(string id, DateTime acquired, (string Name, double Weight, double Amount, double CycleMult, double MonthlyChurn, double NpsShift, int MinSize, int MaxSize) segment, string region, string? channel, string company, decimal dealAmount, (string Name, double AmountMult, double Nps) line)
        {
            DateTime? churned = null;
            var invoices = 0;
            var months = (int)Math.Ceiling(Math.Log(1 - rng.Next()) / Math.Log(1 - segment.MonthlyChurn));
            var churnAt = acquired.AddDays((months * 30.4) + rng.Below(20));
            if (churnAt <= now)
            {
                churned = churnAt;
            }

            customers.Text(id).Time(acquired).Time(churned).Text(company).Text(segment.Name).Text(region).Text(channel).End();

            // First invoice on acquisition, then a monthly retainer while the customer stays.
            var end = churned ?? now;
            Invoice(id, ref invoices, acquired, dealAmount * 0.4m);
            var retainer = Math.Round(dealAmount * 0.07m / 100m) * 100m;
            for (var m = acquired.AddMonths(1); m <= end; m = m.AddMonths(1))
            {
                if (m >= Start)
                {
                    Invoice(id, ref invoices, m, retainer);
                }

                if (m.Month % 3 == 0 && m >= Start && rng.Next() < 0.35)
                {
                    var mean = line.Nps + segment.NpsShift;
                    var score = Math.Clamp((int)Math.Round(mean + (1.7 * rng.Normal())), 0, 10);
                    nps.Text("NPS-" + id + Suffix(m.Year * 12 + m.Month)).Time(m.AddDays(rng.Below(10))).Number(score).Text(id).Text(rng.Pick(Comments)).End();
                }
            }

            return id;
        }

        private void Invoice(string customer, ref int seq, DateTime date, decimal amount)
        {
            if (date > now || amount <= 0)
            {
                return;
            }

            var cost = Math.Round(amount * (decimal)(0.5 + (0.22 * rng.Next())), 2);
            revenue.Text("INV-" + customer + Suffix(++seq)).Text(customer).Date(date).Money(amount).Money(cost).End();
            if (rng.Next() < 0.015)
            {
                revenue.Text("INV-" + customer + Suffix(++seq)).Text(customer).Date(date.AddDays(10) > now ? date : date.AddDays(10)).Money(-Math.Round(amount * 0.1m, 2)).Money(0).End();
            }
        }

        private void BaseCustomers()
        {
            var count = Math.Max(5, o.Leads / 60);
            for (var i = 0; i < count; i++)
            {
                var seg = PickSegment();
                var segment = Segments[seg];
                var acquired = Start.AddDays(-rng.Below(3 * 365) - 1).AddHours(10);
                var line = rng.Pick(ServiceLines);
                var company = "ООО «" + rng.Pick(CompanyWords) + "» " + rng.Below(9000).ToString(CultureInfo.InvariantCulture);
                var region = rng.Pick(Regions);
                var amount = Math.Round((decimal)rng.LogNormal(segment.Amount, 0.4) / 1000m) * 1000m;
                var id = NewCustomer("B" + (i + 1).ToString("D6", CultureInfo.InvariantCulture), acquired, segment, region, null, company, amount, line);

                // Upsells to existing customers: deals without a lead.
                if (rng.Next() < 0.35)
                {
                    var deal = "U" + (++upsellSeq).ToString("D6", CultureInfo.InvariantCulture);
                    (unitKey, unitSeq) = (deal, 0);
                    Deal(deal, Start.AddDays(rng.Next() * (now - Start).TotalDays), null, id, rng.Pick(Reps), seg, region, string.Empty, company, id);
                }
            }
        }

        private void Spend(DateTime day, Dictionary<(int Channel, int Campaign), int> leadsToday)
        {
            foreach (var ((ch, camp), count) in leadsToday.OrderBy(kv => kv.Key))
            {
                var channel = Channels[ch];
                if (channel.CostPerLead > 0)
                {
                    spend.Date(day).Money(Math.Round((decimal)(count * channel.CostPerLead * (0.8 + (0.4 * rng.Next()))), 2)).Text(channel.Name).Text(channel.Campaigns[camp]).End();
                }
            }

            if (day.Day == 1)
            {
                // SEO is paid monthly (content and agency), booked on the 1st as the contract says.
                spend.Date(day).Money(Math.Round(o.Leads * 18m, 2)).Text("seo").Text("content").End();
            }
        }

        private void Activity(DateTime at, string type, string? leadId, string? dealId, string owner, string direction)
        {
            if (at > now)
            {
                return;
            }

            activities.Text("A-" + unitKey + Suffix(++unitSeq)).Time(at).Text(type).Text(leadId).Text(dealId).Text(owner).Text(direction)
                .Number(type is "call" or "meeting" ? 5 + rng.Below(55) : null).End();
        }

        private void DirtyLead(string id)
        {
            switch (rng.Below(3))
            {
                case 0:
                    leads.Text(id + "-X").Text("31.02.2025").Text("google_ads").Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).End();
                    break;
                case 1:
                    leads.Text(null).Time(now.AddDays(-3)).Text("referral").Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).End();
                    break;
                default:
                    leads.Text(id + "-Y").Time(now.AddDays(-5)).Text("events").Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text("-12").Text(null).Text(null).Text("140").Text(null).Text(null).Text(null).Text(null).End();
                    break;
            }
        }

        private void DirtyDeal(string id, DateTime created)
        {
            var bad = rng.Below(2) == 0
                ? (Status: "won", Amount: (decimal?)null)
                : (Status: "pending", Amount: (decimal?)1000m);
            deals.Text(id + "-X").Time(created).Text(bad.Status).Time(created.AddDays(20)).Money(bad.Amount).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).Text(null).End();
        }
    }
}

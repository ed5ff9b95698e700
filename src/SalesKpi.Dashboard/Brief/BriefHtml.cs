using System.Globalization;
using System.Net;
using System.Text;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Dashboard.Brief;

/// <summary>
/// Renders a <see cref="Application.Services.Brief"/> as one self-contained HTML document: inline CSS, charts as
/// inline SVG (<see cref="BriefSvg"/>), no script and no external reference of any kind, laid out for A4 (each
/// section starts a page, table rows and charts are never split). Every text exists in English and Russian; numbers
/// and dates are formatted in the reader's culture (<see cref="Languages.DisplayCulture"/>).
/// </summary>
public sealed class BriefHtml
{
    private readonly Application.Services.Brief b;
    private readonly Language lang;
    private readonly CultureInfo c;
    private readonly DateTimeOffset generated;
    private readonly StringBuilder sb = new();
    private int section;

    private BriefHtml(Application.Services.Brief brief, Language language, DateTimeOffset generatedAt)
    {
        b = brief;
        lang = language;
        c = Languages.DisplayCulture(language);
        generated = generatedAt;
    }

    /// <summary>The brief as an HTML document in <paramref name="language"/>; <paramref name="generatedAt"/> is printed in the header.</summary>
    public static string Render(Application.Services.Brief brief, Language language, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(brief);
        return new BriefHtml(brief, language, generatedAt).Document();
    }

    private string T(string en, string ru) => lang == Language.Ru ? ru : en;

    private string F(string en, string ru, params object?[] args) => string.Format(c, T(en, ru), args);

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);

    private string Document()
    {
        var s = b.Scorecard.Scorecard;
        sb.Append("<!DOCTYPE html>\n<html lang=\"").Append(lang == Language.Ru ? "ru" : "en").Append("\"><head><meta charset=\"utf-8\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<title>").Append(E(Title)).Append("</title><style>").Append(Css).Append("</style></head><body>\n");
        Header(s);
        Scorecard(s);
        Trends();
        Funnel();
        Changes();
        Velocity();
        Levers();
        Stalled();
        Review();
        Appendix(s);
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private string Title => F("Management brief {0}", "Управленческая сводка {0}", b.Period.Label);

    private string Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), b.Zone).ToString("g", c);

    private void Header(ScorecardResult s)
    {
        sb.Append("<header class=\"cover\"><h1>").Append(E(Title)).Append("</h1><p class=\"context\">");
        var parts = new List<string>
        {
            F("Period {0} ({1} – {2})", "Период {0} ({1} – {2})", b.Period.Label, b.Period.Start.ToString("d", c), b.Period.LastDay.ToString("d", c)),
            F("as of {0}", "на {0}", Local(s.AsOfUtc)),
            s.Elapsed >= 1 ? T("period complete", "период завершён") : F("{0:P0} of the period elapsed", "прошло {0:P0} периода", s.Elapsed),
            b.ScopeOwner is { } owner ? F("data of {0} only", "только данные: {0}", owner) : T("whole company", "вся компания"),
        };
        if (s.Version is { } v)
        {
            parts.Add(F("KPI system version {0}", "версия системы KPI {0}", v.Number));
        }

        if (s.By.Count > 0)
        {
            parts.Add(F("by {0}", "в разрезе: {0}", string.Join(", ", s.By.Select(Dim))));
        }

        sb.Append(E(string.Join(" · ", parts))).Append("</p><p class=\"context\">")
          .Append(E(F("Generated {0}", "Сформировано {0}", generated.ToOffset(b.Zone.GetUtcOffset(generated)).ToString("g", c)))).Append("</p>");
        foreach (var w in b.Warnings)
        {
            sb.Append("<p class=\"warning\">").Append(E(w.Render(lang))).Append("</p>");
        }

        // The summary a reader takes away: how many KPIs are where.
        var judged = b.Rows.Where(r => r.Result.IsTotal).GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
        sb.Append("<ul class=\"summary\">");
        foreach (var st in new[] { TargetStatus.OffTrack, TargetStatus.AtRisk, TargetStatus.OnTrack, TargetStatus.Pending, TargetStatus.NoTarget })
        {
            if (judged.TryGetValue(st, out var n))
            {
                sb.Append("<li class=\"").Append(StatusClass(st)).Append("\"><b>").Append(n.ToString("N0", c)).Append("</b> ").Append(E(TargetRules.Label(st).Render(lang))).Append("</li>");
            }
        }

        sb.Append("</ul></header>\n");
    }

    private void Open(string id, string en, string ru)
    {
        section++;
        sb.Append("<section id=\"").Append(id).Append("\"><h2>").Append(section.ToString(c)).Append(". ").Append(E(T(en, ru))).Append("</h2>\n");
    }

    private void Close() => sb.Append("</section>\n");

    private void Gap(string name)
    {
        foreach (var g in b.Gaps.Where(g => g.Section == name))
        {
            sb.Append("<p class=\"gap\">").Append(E(T("Not available: ", "Нет данных: ") + g.Reason.Render(lang))).Append("</p>");
        }
    }

    private void Scorecard(ScorecardResult s)
    {
        Open("scorecard", "Scorecard against targets", "Показатели против целей");
        sb.Append("<table class=\"scorecard\"><thead><tr>")
          .Append(Th(T("KPI", "KPI"))).Append(Th(T("Value", "Значение"), "num")).Append(Th(T("Target", "Цель"), "num"))
          .Append(Th(T("Status", "Статус")))
          .Append(Th(F("vs {0}", "к {0}", s.Period.Previous().Label), "num")).Append(Th(F("vs {0}", "к {0}", s.Period.YearBefore().Label), "num"))
          .Append(Th("n", "num")).Append("</tr></thead><tbody>");
        foreach (var r in b.Rows)
        {
            var kpi = r.Result.Kpi;
            var name = r.Result.IsTotal ? kpi.NameIn(lang) : "  " + string.Join(", ", r.Result.Slice.Select(kv => Dim(kv.Key) + " = " + kv.Value));
            sb.Append("<tr class=\"").Append(r.Result.IsTotal ? "total " : "slice ").Append(StatusClass(r.Status)).Append("\" data-kpi=\"").Append(E(kpi.Id)).Append("\">")
              .Append("<th scope=\"row\">").Append(E(name)).Append("</th>")
              .Append("<td class=\"num value\">").Append(E(KpiDisplay.Value(kpi, r.Result.Value, b.Currency, lang)))
              .Append(r.Projected is { } p ? "<br><small>" + E(T("projected ", "прогноз ") + KpiDisplay.Value(kpi, p, b.Currency, lang)) + "</small>" : string.Empty).Append("</td>")
              .Append(Td(r.Target is { } t ? KpiDisplay.Short(kpi, t.Value, b.Currency, lang) : KpiDisplay.None, "num"))
              .Append(Td(Icon(r.Status) + " " + TargetRules.Label(r.Status).Render(lang), "status"))
              .Append(Td(ChangeText(kpi, r.VsPrevious, r.Result.Value), "num"))
              .Append(Td(ChangeText(kpi, r.VsYearBefore, r.Result.Value), "num"))
              .Append(Td(r.Result.N.ToString("N0", c), "num"))
              .Append("</tr>");
            if (r.Result.IsTotal && r.Result.Value is null && r.Result.Reason is { } why)
            {
                sb.Append("<tr class=\"reason\"><td colspan=\"7\">").Append(E(why.Render(lang))).Append("</td></tr>");
            }
        }

        sb.Append("</tbody></table>");
        sb.Append("<p class=\"note\">").Append(E(T(
            "Changes marked * are statistically significant (p < 0.05); only proportions and NPS are tested. A projected end is shown for counts of a running period; their status is judged on it.",
            "Изменения со знаком * статистически значимы (p < 0,05); проверяются только доли и NPS. Прогноз на конец показан для количеств незавершённого периода; статус оценивается по нему."))).Append("</p>");

        if (s.Goals.Count > 0)
        {
            sb.Append("<h3>").Append(E(T("Goal attainment", "Достижение целей"))).Append("</h3><table class=\"goals\"><thead><tr>")
              .Append(Th(T("Goal", "Цель"))).Append(Th(T("Attainment", "Достижение"), "num")).Append(Th(T("KPIs on track", "KPI по плану"), "num")).Append("</tr></thead><tbody>");
            foreach (var g in s.Goals)
            {
                sb.Append("<tr><th scope=\"row\">").Append(E(g.Goal.Title.In(lang))).Append("</th>")
                  .Append(Td(g.Attainment is { } a ? KpiDisplay.Percent(a, lang) : T("no KPI with a target", "нет KPI с целью"), "num"))
                  .Append(Td(g.OnTrack.ToString(c) + " / " + g.WithTarget.ToString(c), "num")).Append("</tr>");
            }

            sb.Append("</tbody></table>");
        }

        foreach (var note in s.Notes)
        {
            sb.Append("<p class=\"note\">").Append(E(note.Render(lang))).Append("</p>");
        }

        Close();
    }

    private string ChangeText(KpiDef kpi, Change change, decimal? now)
    {
        var text = KpiDisplay.Change(kpi, change.Before, now, lang) ?? KpiDisplay.None;
        return change.Significant == true ? text + " *" : text;
    }

    private void Trends()
    {
        Open("trend", "Trends against targets", "Динамика и цели");
        Gap("trend");
        if (b.Trends.Count > 0)
        {
            sb.Append("<p class=\"note\">").Append(E(T(
                "Blue: the value with its 95 % interval (shaded); red dashes: the target with its tolerance band.",
                "Синим — значение и его 95 % интервал (заливка); красный пунктир — цель и её допуск."))).Append("</p><div class=\"charts\">");
            foreach (var t in b.Trends)
            {
                var k = t.Kpi.IsProportion ? 100m : 1m;
                var points = t.Points.Select(p => new BriefSvg.TrendPoint(
                    p.Label, p.Value * k, p.Ci95?.Low * k, p.Ci95?.High * k, p.Target?.Value * k,
                    p.Target is { } g ? (g.Value - (Math.Abs(g.Value) * g.TolerancePercent / 100)) * k : null,
                    p.Target is { } h ? (h.Value + (Math.Abs(h.Value) * h.TolerancePercent / 100)) * k : null)).ToList();
                string Format(decimal v) => t.Kpi.IsProportion ? (v / 100).ToString("P1", c) : KpiDisplay.Short(t.Kpi, v, b.Currency, lang);
                sb.Append("<figure class=\"chart\"><figcaption>").Append(E(t.Kpi.NameIn(lang))).Append("</figcaption>")
                  .Append(BriefSvg.Trend(points, Format, t.Kpi.NameIn(lang))).Append("</figure>");
            }

            sb.Append("</div>");
        }

        Close();
    }

    private void Funnel()
    {
        Open("funnel", "Funnel: losses and revenue at stake", "Воронка: потери и выручка под угрозой");
        Gap("funnel");
        if (b.Funnel is { } answer)
        {
            var f = answer.Funnel;
            foreach (var group in f.Steps.GroupBy(s => s.Section))
            {
                var steps = group.ToList();
                var title = group.Key == "leads" ? F("Leads created in {0}", "Лиды, созданные в {0}", f.Period.Label) : F("Deals created in {0}", "Сделки, созданные в {0}", f.Period.Label);
                sb.Append("<h3>").Append(E(title)).Append("</h3><figure class=\"chart wide\">")
                  .Append(BriefSvg.Bars([.. steps.Select(s => (StepName(s.Name), (decimal)s.Count, s.Count.ToString("N0", c) + (s.StepConversion is { } cv ? " · " + KpiDisplay.Percent(cv, lang) : string.Empty)))], title, group.Key == "leads" ? "#1f5fbf" : "#17703a"))
                  .Append("</figure>");
            }

            sb.Append("<table class=\"funnel\"><thead><tr>").Append(Th(T("Step", "Шаг"))).Append(Th(T("Reached", "Дошли"), "num"))
              .Append(Th(T("Step conversion", "Конверсия шага"), "num")).Append(Th(T("Lost here", "Потеряно здесь"), "num"))
              .Append(Th(T("Lost amount", "Сумма потерь"), "num")).Append(Th(T("Revenue at stake", "Выручка под угрозой"), "num"))
              .Append(Th(T("Median days", "Медиана дней"), "num")).Append("</tr></thead><tbody>");
            foreach (var s in f.Steps)
            {
                sb.Append("<tr><th scope=\"row\">").Append(E(StepName(s.Name))).Append("</th>")
                  .Append(Td(s.Count.ToString("N0", c), "num")).Append(Td(Pct(s.StepConversion), "num"))
                  .Append(Td(s.Section == "leads" ? KpiDisplay.None : s.Lost.ToString("N0", c), "num"))
                  .Append(Td(s.Lost == 0 ? KpiDisplay.None : s.LostWithAmount == 0 ? T("no amounts", "без сумм") : (s.LostWithAmount < s.Lost ? "≥ " : string.Empty) + Money(s.LostValue), "num"))
                  .Append(Td(s.RevenueAtStake is { } r ? Money(r) : KpiDisplay.None, "num"))
                  .Append(Td(s.MedianDays is { } d ? d.ToString("N1", c) : KpiDisplay.None, "num"))
                  .Append("</tr>");
            }

            sb.Append("</tbody></table>");
            var reasons = f.Steps.Where(x => !x.LostReasons.IsDefaultOrEmpty).ToList();
            if (reasons.Count > 0)
            {
                sb.Append("<h3>").Append(E(T("Top lost reasons", "Главные причины потерь"))).Append("</h3><table class=\"reasons\"><tbody>");
                foreach (var x in reasons)
                {
                    sb.Append("<tr><th scope=\"row\">").Append(E(StepName(x.Name))).Append("</th>")
                      .Append(Td(string.Join("; ", x.LostReasons.Select(r => (r.Reason == "(none)" ? T("no reason given", "причина не указана") : r.Reason) + " (" + r.Deals.ToString("N0", c) + ")")))).Append("</tr>");
                }

                sb.Append("</tbody></table>");
            }

            sb.Append("<p class=\"note\">").Append(E(T(
                "Revenue at stake = deals lost at the stage × the share of deals reaching it that go on to win × the average won deal.",
                "Выручка под угрозой = сделки, потерянные на этапе × доля дошедших до него сделок, которые выигрываются × средняя выигранная сделка."))).Append("</p>");
        }

        Close();
    }

    private void Changes()
    {
        Open("changes", "Significant changes and who drives them", "Значимые изменения и их драйверы");
        Gap("diagnosis");
        if (b.Diagnosis is { } d)
        {
            var r = d.Report;
            if (r.Findings.Length == 0)
            {
                sb.Append("<p>").Append(E(F("Nothing changed significantly between {0} and {1} (p < 0.05).", "Значимых изменений между {0} и {1} нет (p < 0,05).", r.Before.Label, r.After.Label))).Append("</p>");
            }
            else
            {
                sb.Append("<table class=\"findings\"><thead><tr>").Append(Th(T("Change", "Изменение"))).Append(Th(r.Before.Label, "num")).Append(Th(r.After.Label, "num"))
                  .Append(Th(T("p-value", "p-значение"), "num")).Append(Th(T("Driver", "Драйвер"))).Append("</tr></thead><tbody>");
                foreach (var f in r.Findings)
                {
                    var kpi = f.Kpi == "stage" ? null : KpiCatalog.Get(f.Kpi);
                    string V(decimal v) => kpi is null ? KpiDisplay.Percent(v, lang) : KpiDisplay.Short(kpi, v, b.Currency, lang);
                    var mark = f.Better switch { true => "better", false => "worse", _ => "plain" };
                    sb.Append("<tr class=\"").Append(mark).Append("\"><th scope=\"row\">").Append(E((f.After > f.Before ? "▲ " : "▼ ") + f.Text.Render(lang))).Append("</th>")
                      .Append(Td(V(f.Before), "num")).Append(Td(V(f.After), "num"))
                      .Append(Td(f.PValue < 0.001 ? "< 0" + c.NumberFormat.NumberDecimalSeparator + "001" : f.PValue.ToString("0.000", c), "num"))
                      .Append(Td(f.Driver is { } drv ? Dim(drv.Dimension) + " = " + drv.Value : KpiDisplay.None))
                      .Append("</tr>");
                }

                sb.Append("</tbody></table><p class=\"note\">").Append(E(T(
                    "The driver is the owner or channel whose own shift explains most of the change.",
                    "Драйвер — ответственный или канал, чей собственный сдвиг объясняет большую часть изменения."))).Append("</p>");
            }
        }

        Close();
    }

    private void Velocity()
    {
        Open("velocity", "Sales velocity: what moved it", "Скорость продаж: что её изменило");
        Gap("velocity");
        if (b.Velocity is { } v)
        {
            var (change, reason) = v.Report;
            if (change is null)
            {
                sb.Append("<p class=\"gap\">").Append(E(reason?.Render(lang) ?? KpiDisplay.None)).Append("</p>");
            }
            else
            {
                string Money(decimal m) => m.ToString("N2", c) + " " + b.Currency + T("/day", "/день");
                string Signed(decimal m) => m.ToString("+#,##0.00;-#,##0.00;0.00", c) + " " + b.Currency + T("/day", "/день");
                sb.Append("<p>").Append(E(F("Velocity went from {0} in {1} to {2} in {3}.", "Скорость продаж: {0} в {1} → {2} в {3}.", Money(change.Before), v.Baseline?.Label, Money(change.After), v.Period.Label))).Append("</p>");
                sb.Append("<figure class=\"chart wide\">").Append(BriefSvg.Bars([.. change.Parts.Select(p => (FactorName(p.Factor), p.Contribution, Signed(p.Contribution)))], T("Contribution of each factor", "Вклад каждого множителя"))).Append("</figure>");
                sb.Append("<table class=\"velocity\"><thead><tr>").Append(Th(T("Factor", "Множитель"))).Append(Th(v.Baseline?.Label ?? string.Empty, "num")).Append(Th(v.Period.Label, "num"))
                  .Append(Th(T("Share of change", "Доля изменения"), "num")).Append(Th(T("Contribution", "Вклад"), "num")).Append("</tr></thead><tbody>");
                foreach (var p in change.Parts)
                {
                    sb.Append("<tr><th scope=\"row\">").Append(E(FactorName(p.Factor))).Append("</th>").Append(Td(FactorValue(p.Factor, p.Before), "num")).Append(Td(FactorValue(p.Factor, p.After), "num"))
                      .Append(Td(p.Share is { } sh ? KpiDisplay.Percent(sh, lang) : KpiDisplay.None, "num")).Append(Td(Signed(p.Contribution), "num")).Append("</tr>");
                }

                sb.Append("</tbody></table>");
            }
        }

        Close();
    }

    private void Levers()
    {
        Open("levers", "Top levers (what-if)", "Главные рычаги (что если)");
        Gap("simulation");
        if (b.Simulation is { } answer)
        {
            var r = answer.Report;
            sb.Append("<p>").Append(E(F(
                "If nothing changes, {0} brings {1} of won revenue (90 % interval {2} – {3}), from the levers measured in {4}. Revenue a 10 % improvement of each lever alone would add:",
                "Если ничего не менять, {0} принесёт {1} выигранной выручки (90 % интервал {2} – {3}), по рычагам, измеренным в {4}. Выручка от улучшения каждого рычага на 10 % по отдельности:",
                r.Next.Label, Money(r.BaselineRevenue.Median), Money(r.BaselineRevenue.Low), Money(r.BaselineRevenue.High), r.Base.Label))).Append("</p>");
            var top = r.Ranking.Take(5).ToList();
            if (top.Count > 0)
            {
                sb.Append("<figure class=\"chart wide\">").Append(BriefSvg.Bars([.. top.Select(x => (LeverName(x.Lever), x.Gain, "+" + Money(x.Gain)))], T("Levers ranked", "Рычаги по значимости"), "#17703a")).Append("</figure>");
            }
        }

        Close();
    }

    private void Stalled()
    {
        Open("stalled", "Stalled deals by owner", "Зависшие сделки по ответственным");
        Gap("funnel");
        if (b.Funnel is not null)
        {
            if (b.Stalled.Count == 0)
            {
                sb.Append("<p>").Append(E(T("No open deal has been in its stage longer than that stage's 90th percentile.", "Ни одна открытая сделка не находится на этапе дольше 90-го процентиля этого этапа."))).Append("</p>");
            }
            else
            {
                sb.Append("<table class=\"stalled\"><thead><tr>").Append(Th(T("Owner", "Ответственный"))).Append(Th(T("Stalled deals", "Зависших сделок"), "num"))
                  .Append(Th(T("Their amount", "Их сумма"), "num")).Append(Th(T("Longest in stage", "Дольше всех на этапе"))).Append("</tr></thead><tbody>");
                foreach (var o in b.Stalled)
                {
                    sb.Append("<tr><th scope=\"row\">").Append(E(o.Owner ?? T("(no owner)", "(без ответственного)"))).Append("</th>").Append(Td(o.Deals.ToString("N0", c), "num")).Append(Td(Money(o.Amount), "num"))
                      .Append(Td(string.Join("; ", o.Longest.Take(3).Select(d => F("{0} in {1}, {2:N0} d (p90 {3:N0})", "{0} на «{1}», {2:N0} дн. (p90 {3:N0})", d.DealId, d.Stage, d.Days, d.StageP90Days))), "deals")).Append("</tr>");
                }

                sb.Append("</tbody></table><p class=\"note\">").Append(E(T(
                    "A deal is stalled when it has been in its current stage longer than 90 % of the deals that passed that stage.",
                    "Сделка зависла, если она на текущем этапе дольше, чем 90 % сделок, прошедших этот этап."))).Append("</p>");
            }
        }

        Close();
    }

    private void Review()
    {
        Open("review", "Review of the targets", "Ревизия целей");
        Gap("review");
        if (b.Review is { } r)
        {
            sb.Append("<p class=\"note\">").Append(E(F("Periods reviewed: {0}.", "Рассмотренные периоды: {0}.", string.Join(", ", r.Periods.Select(p => p.Label))))).Append("</p>");
            if (r.Kpis.Count == 0 && r.UnlinkedKpis.Count == 0 && r.EmptyGoals.Count == 0)
            {
                sb.Append("<p>").Append(E(T("No finding: every judged target was sometimes met and sometimes missed.", "Замечаний нет: каждая оцениваемая цель иногда выполнялась, иногда нет."))).Append("</p>");
            }

            sb.Append("<ul class=\"review\">");
            foreach (var k in r.Kpis)
            {
                var name = KpiName(k.Kpi) + (k.Slice.Length == 0 ? string.Empty : " (" + k.Slice + ")");
                var text = k.Finding switch
                {
                    ReviewFinding.AlwaysMet => F("{0}: on track in every judged period ({1} of {2}) — the target may be too easy.", "{0}: по плану во всех оценённых периодах ({1} из {2}) — цель, возможно, слишком лёгкая.", name, k.OnTrack, k.Judged),
                    ReviewFinding.AlwaysMissed => F("{0}: never on track ({1} of {2}) — is the target realistic?", "{0}: ни разу не по плану ({1} из {2}) — реалистична ли цель?", name, k.OnTrack, k.Judged),
                    _ => F("{0}: too few observations to judge ({2} judged periods, smallest sample {3:N0}).", "{0}: слишком мало наблюдений для вывода (оценённых периодов: {2}, наименьшая выборка {3:N0}).", name, k.OnTrack, k.Judged, k.MinN),
                };
                sb.Append("<li>").Append(E(text)).Append("</li>");
            }

            foreach (var id in r.UnlinkedKpis)
            {
                sb.Append("<li>").Append(E(F("{0} is active but linked to no goal.", "{0} активен, но не связан ни с одной целью.", KpiName(id)))).Append("</li>");
            }

            foreach (var g in r.EmptyGoals)
            {
                sb.Append("<li>").Append(E(F("Goal '{0}' has no KPI.", "У цели «{0}» нет KPI.", g.Title.In(lang)))).Append("</li>");
            }

            sb.Append("</ul>");
        }

        Close();
    }

    private void Appendix(ScorecardResult s)
    {
        Open("appendix", "Appendix: definitions and data", "Приложение: определения и данные");
        sb.Append("<h3>").Append(E(T("KPI definitions", "Определения KPI"))).Append("</h3><dl class=\"definitions\">");
        foreach (var d in b.Definitions)
        {
            sb.Append("<dt>").Append(E(d.Kpi.NameIn(lang))).Append(" <code>").Append(E(d.Kpi.Id)).Append("</code></dt><dd>").Append(E(d.Definition.Render(lang))).Append("</dd>");
        }

        sb.Append("</dl><h3>").Append(E(T("The data", "Данные"))).Append("</h3><p>")
          .Append(E(F("Computed as of {0} ({1}); currency {2}.", "Рассчитано на {0} ({1}); валюта {2}.", Local(s.AsOfUtc), b.Zone.Id, b.Currency))).Append("</p>");
        sb.Append("<table class=\"coverage\"><thead><tr>").Append(Th(T("Entity", "Сущность"))).Append(Th(T("Rows", "Строк"), "num"))
          .Append(Th(T("From", "С"), "num")).Append(Th(T("To", "По"), "num")).Append("</tr></thead><tbody>");
        foreach (var e in b.Coverage.Entities)
        {
            sb.Append("<tr><th scope=\"row\">").Append(E(e.Entity.Name)).Append("</th>").Append(Td(e.Rows.ToString("N0", c), "num"))
              .Append(Td(e.First is { } f ? DateOnly.FromDateTime(f).ToString("d", c) : KpiDisplay.None, "num"))
              .Append(Td(e.Last is { } l ? DateOnly.FromDateTime(l).ToString("d", c) : KpiDisplay.None, "num")).Append("</tr>");
        }

        sb.Append("</tbody></table>");
        Close();
    }

    private string Money(decimal v) => (Math.Abs(v) >= 100 ? Math.Round(v, 0, MidpointRounding.AwayFromZero).ToString("N0", c) : v.ToString("N2", c)) + " " + b.Currency;

    private string Pct(decimal? v) => v is { } d ? KpiDisplay.Percent(d, lang) : KpiDisplay.None;

    private string StepName(string name) => name switch
    {
        "leads" => T("leads", "лиды"),
        "deals" => T("deals", "сделки"),
        "sql" => "SQL",
        "opportunity" => T("opportunity", "возможность"),
        "won" => T("won", "выиграны"),
        _ => name,
    };

    private string FactorName(string factor) => factor switch
    {
        "deals" => T("Deals created", "Создано сделок"),
        "win_rate" => T("Win rate", "Доля выигранных"),
        "deal_size" => T("Average deal size", "Средняя сделка"),
        "cycle_length" => T("Sales-cycle length, days", "Длина цикла, дни"),
        _ => factor,
    };

    private string FactorValue(string factor, decimal v) => factor switch
    {
        "deals" => v.ToString("N0", c),
        "win_rate" => KpiDisplay.Percent(v, lang),
        "deal_size" => Money(v),
        _ => v.ToString("N1", c),
    };

    private string LeverName(string lever)
    {
        var direction = lever is "lead_response_time" or "sales_cycle_length" ? " −10 %" : " +10 %";
        var dot = lever.IndexOf('.', StringComparison.Ordinal);
        var id = dot < 0 ? lever : lever[..dot];
        var name = KpiName(id);
        return (dot < 0 ? name : name + " (" + lever[(dot + 1)..] + ")") + direction;
    }

    // The brief's own KPIs first (custom ones have their titles there), then the catalogue; an unknown id as it is.
    private string KpiName(string id) =>
        (b.Definitions.FirstOrDefault(d => d.Kpi.Id == id)?.Kpi ?? KpiCatalog.All.FirstOrDefault(k => k.Id == id))?.NameIn(lang) ?? id;

    private string Dim(string dimension) => PageFrame.DimensionName(dimension, lang);

    private static string Th(string text, string? css = null) => "<th scope=\"col\"" + (css is null ? string.Empty : " class=\"" + css + "\"") + ">" + E(text) + "</th>";

    private static string Td(string text, string? css = null) => "<td" + (css is null ? string.Empty : " class=\"" + css + "\"") + ">" + E(text) + "</td>";

    private static string StatusClass(TargetStatus s) => s switch
    {
        TargetStatus.OnTrack => "on-track",
        TargetStatus.AtRisk => "at-risk",
        TargetStatus.OffTrack => "off-track",
        _ => "neutral",
    };

    // The status is also a sign, so colour is never its only signal (and it survives black-and-white printing).
    private static string Icon(TargetStatus s) => s switch
    {
        TargetStatus.OnTrack => "✓",
        TargetStatus.AtRisk => "!",
        TargetStatus.OffTrack => "✗",
        TargetStatus.Pending => "…",
        _ => "·",
    };

    // System fonts only (DejaVu/Liberation on Debian carry Cyrillic); A4 with page breaks between sections.
    private const string Css = """
        @page { size: A4; margin: 14mm 12mm 14mm 12mm; }
        * { box-sizing: border-box; }
        body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt; color: #1d2733; margin: 0 auto; max-width: 186mm; line-height: 1.35; }
        h1 { font-size: 18pt; margin: 0 0 4pt; }
        h2 { font-size: 13pt; margin: 0 0 6pt; border-bottom: 1.5pt solid #1f5fbf; padding-bottom: 2pt; }
        h3 { font-size: 10.5pt; margin: 10pt 0 4pt; }
        section { break-before: page; padding-top: 2pt; }
        header.cover + section { break-before: auto; margin-top: 10pt; }
        .context { color: #4a5563; margin: 2pt 0; }
        .warning { color: #8a5a00; }
        .gap { color: #6b7785; font-style: italic; }
        .note { color: #5b6673; font-size: 8pt; }
        ul.summary { list-style: none; padding: 0; margin: 8pt 0; display: flex; gap: 10pt; flex-wrap: wrap; }
        ul.summary li { border: 1pt solid #c9d1da; border-radius: 3pt; padding: 3pt 7pt; }
        table { border-collapse: collapse; width: 100%; margin: 4pt 0 6pt; }
        thead { display: table-header-group; }
        tr, figure, dt, dd, li { break-inside: avoid; }
        h2, h3 { break-after: avoid; }
        th, td { text-align: left; padding: 2.5pt 4pt; border-bottom: 0.5pt solid #d5dbe2; vertical-align: top; }
        thead th { background: #eef2f6; font-weight: bold; font-size: 8.5pt; }
        .num { text-align: right; white-space: nowrap; }
        thead th.num { white-space: normal; }
        table.scorecard { font-size: 8pt; }
        table.scorecard th, table.scorecard td { padding: 2pt 2.5pt; }
        table.scorecard small { color: #5b6673; font-size: 7.5pt; }
        table.scorecard th[scope=row] { white-space: nowrap; }
        tr.slice th { font-weight: normal; padding-left: 12pt; color: #4a5563; }
        tr.reason td { color: #6b7785; font-size: 8pt; padding-left: 12pt; }
        td.status { white-space: nowrap; }
        tr.on-track td.status { color: #17703a; }
        tr.at-risk td.status { color: #8a5a00; }
        tr.off-track td.status { color: #b5412b; font-weight: bold; }
        tr.better th { color: #17703a; }
        tr.worse th { color: #b5412b; }
        td.deals, table.reasons td { font-size: 8pt; }
        table.reasons th { width: 28mm; }
        .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 6pt 10pt; }
        figure { margin: 0 0 6pt; }
        figure.chart svg { width: 100%; height: auto; display: block; }
        figcaption { font-weight: bold; font-size: 9pt; margin-bottom: 1pt; }
        svg text { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
        dl.definitions dt { font-weight: bold; margin-top: 4pt; }
        dl.definitions dd { margin: 0 0 2pt 10pt; }
        code { font-size: 8pt; color: #5b6673; }
        @media screen { body { padding: 12px; } section { border-top: 1px dashed #c9d1da; margin-top: 18px; } }
        """;
}

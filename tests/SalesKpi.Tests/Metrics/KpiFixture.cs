using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

/// <summary>A workspace filled through the real import from small canonical files, and the engine over it.</summary>
public sealed class KpiFixture : IDisposable
{
    private readonly TempDir dir = new();

    public KpiFixture(string zone = "UTC", params (string File, string Csv)[] files)
    {
        Ws = Workspace.Create(dir.Db, new WorkspaceSettings(zone, "RUB"), FixedClock.At("2026-01-01T00:00:00Z"));
        foreach (var (file, csv) in files)
        {
            dir.Write("data/" + file, csv);
        }

        if (files.Length > 0)
        {
            var report = new Importer(Ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("data")] });
            report.Rejected.ShouldBe(0, "fixture files must import cleanly");
        }
    }

    public Workspace Ws { get; }

    /// <summary>Imports <paramref name="files"/> as one more import (from a folder of their own); returns its report.</summary>
    public ImportReport Import(params (string File, string Csv)[] files)
    {
        var folder = "more-" + Guid.NewGuid().ToString("N");
        foreach (var (file, csv) in files)
        {
            dir.Write(folder + "/" + file, csv);
        }

        return new Importer(Ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File(folder)] });
    }

    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public KpiReport Run(string period, string[] kpis, string asOf = "2026-06-01T00:00:00Z", string? grain = null, string[]? by = null, KpiParameters? parameters = null) =>
        new KpiEngine(Ws).Run(new ReportRequest
        {
            Period = Period.Parse(period),
            Grain = grain is null ? null : Period.ParseGrain(grain),
            By = by ?? [],
            Kpis = kpis.Select(KpiCatalog.Get).ToList(),
            AsOf = At(asOf),
            Parameters = parameters ?? new KpiParameters(),
        });

    public KpiResult One(string period, string kpi, string asOf = "2026-06-01T00:00:00Z", KpiParameters? parameters = null) =>
        Run(period, [kpi], asOf, parameters: parameters).Results.Single(r => r.IsTotal);

    public void Dispose()
    {
        Ws.Dispose();
        dir.Dispose();
    }
}

public static class ResultExtensions
{
    public static KpiResult Slice(this KpiReport report, string kpi, string dim, string value) =>
        report.Results.Single(r => r.Kpi.Id == kpi && r.Slice.TryGetValue(dim, out var v) && v == value);

    public static KpiResult Total(this KpiReport report, string kpi) => report.Results.Single(r => r.Kpi.Id == kpi && r.IsTotal);

    public static void ShouldBeAbout(this decimal? actual, double expected, double tolerance = 1e-6)
    {
        actual.ShouldNotBeNull();
        ((double)actual.Value).ShouldBe(expected, tolerance);
    }

    public static void ShouldBeAbout(this decimal actual, double expected, double tolerance = 1e-6) =>
        ((double)actual).ShouldBe(expected, tolerance);
}

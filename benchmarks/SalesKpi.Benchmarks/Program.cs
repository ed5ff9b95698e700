using BenchmarkDotNet.Running;
using SalesKpi.Benchmarks;

// The in-process runs stand for the server, whose process keeps freed C heap memory as 'saleskpi serve' does;
// SALESKPI_BENCH_GLIBC_DEFAULTS=1 leaves glibc as it comes, for a comparison.
if (Environment.GetEnvironmentVariable("SALESKPI_BENCH_GLIBC_DEFAULTS") != "1")
{
    SalesKpi.Storage.DuckDb.NativeHeap.KeepFreedMemory();
}

// Whole runs (what a user waits for) are timed by starting the real CLI as a process; micro paths
// (CSV reading, value parsing) go through BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "import" => ImportRun.Run(args[1..]),
    "report" => ReportRun.Run(args[1..]),
    "views" => ViewsRun.Run(args[1..]),
    "scope" => ScopeRun.Run(args[1..]),
    "demo" => DemoRun.Run(args[1..]),
    "micro" => Micro(args[1..]),
    "fuzz" => FuzzRun.Run(args[1..]),
    "load" => LoadRun.Run(args[1..]),
    "pages" => PagesRun.Run(args[1..]),
    "postgres" => PostgresRun.Run(args[1..]),
    _ => Usage(),
};

static int Micro(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(ParserBenchmarks).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest);
    return 0;
}

static int Usage()
{
    Console.WriteLine("""
        SalesKpi benchmarks (run from the repository root, Release):
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- import [--rows 1000000] [--runs 5] [--keep DIR] [--mapped]
              generates leads.csv, then times 'saleskpi init' + 'saleskpi import' as a process per run
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- report [--leads 100000,1000000,10000000] [--runs 3] [--system]
              generates workspaces with proportional deals, activities, customers…, times the full report as a process;
              --system also times scorecard, targets suggest and the response time with a business calendar
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- views [--db DIR/saleskpi-report-bench-1000000/bench.duckdb] [--runs 9] [--skip-reports]
              in-process through ReportService on a copy of a kept report workspace: one count, two rates and a median
              KPI × 12 months, total + by channel, and the full report, with family pruning on and off, beside floor queries
              (in-process runs keep freed C heap memory as the server does; SALESKPI_BENCH_GLIBC_DEFAULTS=1 leaves glibc's defaults)
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- scope [--db DIR/saleskpi-report-bench-1000000/bench.duckdb] [--runs 7]
              in-process through ReportService on a copy: the report unscoped and scoped to the owner with the most leads, alternating
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- pages [--db DIR/saleskpi-report-bench-1000000/bench.duckdb] [--runs 7] [--period 2025-Q4] [--as-of 2026-06-01]
              the real server in-process on a copy, an admin token: every dashboard page and two KPI pages, first call,
              recomputed after a change, and repeated
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- demo [--leads 1000000,10000000]
              'saleskpi demo' as a process: generation rate, import rows/s per entity, peak memory
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- postgres --pg postgres://user@host:port/db [--leads 1000000 | --data DIR] [--runs 3] [--period 2025] [--as-of 2026-06-01] [--keep]
              the same canonical CSV folder (default: the demo's) into a fresh DuckDB file and a fresh PostgreSQL workspace:
              import time and rows/s of each, the full report alternating engines, the ratio, and the two JSON reports
              compared to 1e-9 relative (exits 1 on a difference); the PostgreSQL workspace is deleted unless --keep
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- micro [BenchmarkDotNet args]
              CSV reader and value parser micro-benchmarks
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- fuzz [--cases 1280] [--seed 2026]
              mutated samples/canonical files through the importer, checked against an independent reading;
              exits 1 when any file breaks an invariant
          dotnet run -c Release --project benchmarks/SalesKpi.Benchmarks -- load --token TOKEN [--url http://127.0.0.1:5080] [--clients 50] [--seconds 30] [--period 2025] [--as-of 2025-12-31|none] [--view PATH]...
              against a running 'saleskpi serve': first calls of scorecard, report (month x channel), funnel and explain, then
              N clients for S seconds over the same views; req/s, p50/p90/p99, errors, cache hits; exits 1 on any error
        """);
    return 1;
}

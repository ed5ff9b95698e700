using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Storage;

namespace SalesKpi.Tests.Core;

/// <summary>
/// Core, Import and the application's own errors return messages, not text in a process-wide language: one error
/// renders in whichever language its reader asks for, and imports in different languages run side by side.
/// </summary>
public sealed class MessagesBelowTheHostsTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_parse_error_of_a_kpi_system_file_renders_in_both_languages_from_one_exception()
    {
        var issues = KpiSystemParser.Parse("version: 1\ncolour: red\n", "f.yaml").Errors;

        var ex = new KpiSystemInvalidException(issues);

        var issue = ex.Issues.ShouldHaveSingleItem();
        (issue.Code, issue.Line, issue.Column, issue.Message.Code).ShouldBe(("KS101", 2, 1, "config.unknown_key"));
        ex.Text.Code.ShouldBe("config.change_refused_invalid");
        ex.Render(Language.En).ShouldBe(
            "The change was refused and nothing was stored: the KPI system would become invalid (1 error(s)):"
            + Environment.NewLine + "  f.yaml:2:1: KS101 unknown key 'colour': expected version, goals, kpis, parameters, targets.");
        ex.Render(Language.Ru).ShouldBe(
            "Изменение отклонено, ничего не сохранено: система KPI стала бы некорректной (ошибок: 1):"
            + Environment.NewLine + "  f.yaml:2:1: KS101 неизвестный ключ «colour»: ожидается version, goals, kpis, parameters, targets.");
        ex.Message.ShouldBe(ex.Render(Language.En));
    }

    [Fact]
    public void A_yaml_syntax_error_keeps_its_place_and_code_in_both_languages()
    {
        var issue = KpiSystemParser.Parse("parameters:\n\tlead_to_sql_window_days: 30\n", "f.yaml").Errors.ShouldHaveSingleItem();

        issue.Message.Code.ShouldBe("yaml.tab_indent");
        issue.Render(Language.En).ShouldStartWith("f.yaml:2:1: KS100 a tab is used for indentation");
        issue.Render(Language.Ru).ShouldStartWith("f.yaml:2:1: KS100 для отступа использована табуляция");
    }

    [Fact]
    public void A_rule_error_nested_in_a_parse_error_renders_in_the_readers_language()
    {
        // The parameter's own error (KpiParameters) is carried into the file's issue as a message, not as English text.
        var issue = KpiSystemParser.Parse("parameters:\n  lead_to_sql_window_days: -3\n", "f.yaml").Errors.ShouldHaveSingleItem();

        (issue.Code, issue.Message.Code).ShouldBe(("KS120", "params.bad_value"));
        issue.Message.Render(Language.En).ShouldBe("'-3' is not a valid value for lead_to_sql_window_days: give whole days from 1 to 36500 (now 30).");
        issue.Message.Render(Language.Ru).ShouldBe("«-3» — недопустимое значение для lead_to_sql_window_days: укажите целое число дней от 1 до 36500 (сейчас 30).");
    }

    [Fact]
    public void A_user_error_of_core_renders_in_both_languages_and_says_english_in_its_exception_message()
    {
        var ex = Should.Throw<SalesKpiException>(() => Period.Parse("2025-Q5"));

        ex.Text.Code.ShouldBe("period.unparsable");
        ex.Render(Language.En).ShouldStartWith("'2025-Q5' is not a period: use 2025, 2025-Q3");
        ex.Render(Language.Ru).ShouldStartWith("«2025-Q5» — не период: используйте 2025, 2025-Q3");
        ex.Message.ShouldBe(ex.Render(Language.En));
    }

    [Fact]
    public void A_target_status_label_is_a_message_in_both_languages()
    {
        TargetRules.Label(TargetStatus.AtRisk).Code.ShouldBe("status.at_risk");
        TargetRules.Label(TargetStatus.AtRisk).Render(Language.En).ShouldBe("at risk");
        TargetRules.Label(TargetStatus.AtRisk).Render(Language.Ru).ShouldBe("под угрозой");
    }

    [Fact]
    public void Joined_messages_render_each_part_in_the_language_and_survive_storage()
    {
        var joined = Msg.Join("; ", [Msg.Of("a", "one {0}", "один {0}", 1.5m), TargetRules.Label(TargetStatus.OnTrack)], prefix: ": ");

        joined.Render(Language.En).ShouldBe(": one 1.5; on track");
        joined.Render(Language.Ru).ShouldBe(": один 1,5; по плану");
        Msg.FromJson(JsonNode.Parse(joined.ToJson().ToJsonString())!).Render(Language.Ru).ShouldBe(": один 1,5; по плану");
        Msg.Join(", ", []).Render(Language.En).ShouldBe(string.Empty);
        Should.Throw<ArgumentException>(() => Msg.Join("{0}", []));
    }

    [Fact]
    public async Task Imports_in_russian_and_english_at_the_same_time_each_write_their_own_language()
    {
        // Each import has its own workspace and input; a row without created_at and a deal closed before it was
        // created give a rejection and a warning, written into the files in the import's language.
        var runs = Enumerable.Range(0, 6).Select(i => (Language: i % 2 == 0 ? Language.Ru : Language.En, Dir: new TempDir())).ToList();
        try
        {
            using var start = new Barrier(runs.Count);
            var tasks = runs.Select(run => Task.Run(() =>
            {
                run.Dir.Write("leads.csv", "lead_id,created_at,channel\nL1,2025-01-05,ads\nL2,,ads\nL3,2025-13-01,seo\n");
                run.Dir.Write("deals.csv", "deal_id,lead_id,created_at,closed_at,status,amount,currency\nD1,L1,2025-02-01,2025-01-20,won,100,RUB\n");
                using var ws = Workspace.Create(run.Dir.Db, new WorkspaceSettings("UTC", "RUB"), FixedClock.At("2026-01-01T00:00:00Z"));
                start.SignalAndWait(TimeSpan.FromSeconds(60)).ShouldBeTrue();
                var report = new Importer(ws, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions
                {
                    Paths = [run.Dir.File("leads.csv"), run.Dir.File("deals.csv")],
                    Language = run.Language,
                });
                return (run.Language, Report: report);
            })).ToList();

            foreach (var (language, report) in await Task.WhenAll(tasks))
            {
                var leads = report.Files[0];
                leads.Rejected.ShouldBe(2);
                var reasons = File.ReadAllLines(leads.RejectsPath!, Encoding.UTF8).Skip(1).Select(l => l[(l.LastIndexOf(',') + 1)..]).ToList();
                var warnings = File.ReadAllText(report.WarningsPath!, Encoding.UTF8);
                var warning = report.Files[1].Warnings.ShouldHaveSingleItem();
                warning.Message.Code.ShouldBe("warning.time_order");
                if (language == Language.Ru)
                {
                    reasons.ShouldBe(["created_at: обязательное значение не заполнено", "created_at: «2025-13-01» — несуществующие дата и время (или год вне 1900–2200)"]);
                    warnings.ShouldContain("closed_at раньше, чем created_at");
                }
                else
                {
                    reasons.ShouldBe(["created_at is required but empty", "created_at '2025-13-01' is not a real date and time (or its year is outside 1900–2200)"]);
                    warnings.ShouldContain("closed_at is before created_at");
                }

                // The report itself stays language-neutral: the same warning renders in either language.
                warning.Message.Render(Language.En).ShouldBe("closed_at is before created_at");
                warning.Message.Render(Language.Ru).ShouldBe("closed_at раньше, чем created_at");
            }
        }
        finally
        {
            runs.ForEach(r => r.Dir.Dispose());
        }
    }

    [Fact]
    public void A_file_rejected_whole_carries_its_reason_as_a_message_and_writes_it_in_the_imports_language()
    {
        dir.Write("leads.csv", "lead_id,channel\nL1,ads\n");
        using var ws = Ws.Create(dir);

        var report = new Importer(ws, FixedClock.At("2026-01-01T12:00:00Z")).Run(new ImportOptions { Paths = [dir.File("leads.csv")], Language = Language.Ru });

        var error = report.Files.Single().Error.ShouldNotBeNull();
        error.Code.ShouldBe("header.missing_required");
        error.Render(Language.En).ShouldStartWith("required column(s) created_at missing from the header");
        var reason = File.ReadAllLines(report.Files.Single().RejectsPath!, Encoding.UTF8)[1];
        reason.ShouldContain("в заголовке нет обязательных столбцов created_at");
        ws.Scalar("SELECT error FROM import_files").ShouldBe(error.Render(Language.Ru));
    }

    [Fact]
    public void Core_import_and_the_application_errors_read_no_ambient_language()
    {
        var src = Path.Combine(SalesKpi.Tests.Application.Repo.Root, "src");
        var application = new[] { "KpiSystemFiles.cs", "RequestContext.cs", "TargetsService.cs", "TargetInput.cs", "ParamsService.cs" };
        var files = Directory.EnumerateFiles(Path.Combine(src, "SalesKpi.Core"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(src, "SalesKpi.Import"), "*.cs", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(src, "SalesKpi.Application"), "*.cs", SearchOption.AllDirectories).Where(f => application.Contains(Path.GetFileName(f))))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && Path.GetFileName(f) != "Loc.cs")
            .ToList();
        files.Count.ShouldBeGreaterThan(20);

        // KpiDef.Name is the one ambient reader left on purpose until its last callers above Core are gone.
        var offenders = files.SelectMany(f => File.ReadAllLines(f).Select((line, i) => (f, i, line: line.Trim())))
            .Where(x => Regex.IsMatch(x.line, @"\bLoc\.(T|F|Current|DisplayCulture)\b") && x.line != "public string Name => Loc.T(NameEn, NameRu);")
            .Select(x => $"{Path.GetRelativePath(src, x.f)}:{x.i + 1}: {x.line}")
            .ToList();

        offenders.ShouldBeEmpty();
    }
}

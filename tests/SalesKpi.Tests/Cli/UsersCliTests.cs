using System.Text.Json;
using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Tests.Cli;

/// <summary>'saleskpi users': add, list, disable, enable, reset-password, set-role, tokens and the reps' company totals.</summary>
public sealed class UsersCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public UsersCliTests() => Run("init").Exit.ShouldBe(0);

    public void Dispose() => dir.Dispose();

    private RequestContext Ctx => new(Language.En, TimeProvider.System, "test", dir.Db);

    [Fact]
    public void Users_are_added_with_a_generated_or_given_password_listed_disabled_and_enabled()
    {
        var added = Run("users", "add", "anna", "--role", "manager");
        added.Exit.ShouldBe(0, added.Err);
        added.Out.ShouldContain("Generated password");
        var generated = added.Out.Split('\n').Select(l => l.Trim()).SkipWhile(l => !l.StartsWith("Generated password", StringComparison.Ordinal)).Skip(1).First();
        new UsersService().VerifyPassword("anna", generated, Ctx).User.Role.ShouldBe(UserRole.Manager);

        var file = dir.Write("ivan.txt", "ivan-secret-1\nignored second line\n");
        var rep = Run("users", "add", "ivan", "--role", "rep", "--owner", "Ivan Petrov", "--password-file", file);
        rep.Exit.ShouldBe(0, rep.Err);
        rep.Out.ShouldNotContain("Generated password");
        new UsersService().VerifyPassword("ivan", "ivan-secret-1", Ctx).Scope.ShouldBe(new DataScope("Ivan Petrov", false));

        var noOwner = Run("users", "add", "petr", "--role", "rep");
        noOwner.Exit.ShouldBe(1);
        noOwner.Err.ShouldContain("--owner");
        Run("users", "add", "anna", "--role", "head").Err.ShouldContain("already exists");
        Run("users", "add", "olga", "--role", "boss").Err.ShouldContain("rep, manager, head or admin");

        Run("users", "disable", "ivan").Exit.ShouldBe(0);
        var json = JsonDocument.Parse(Run("users", "list", "--format", "json").Out).RootElement.GetProperty("users");
        json.GetArrayLength().ShouldBe(2);
        json[1].GetProperty("name").GetString().ShouldBe("ivan");
        json[1].GetProperty("crm_owner").GetString().ShouldBe("Ivan Petrov");
        json[1].GetProperty("disabled").GetBoolean().ShouldBeTrue();
        Should.Throw<SalesKpiException>(() => new UsersService().VerifyPassword("ivan", "ivan-secret-1", Ctx)).Text.Code.ShouldBe("auth.failed");

        Run("users", "enable", "ivan").Exit.ShouldBe(0);
        Run("users", "list").Out.ShouldContain("Ivan Petrov");
        new UsersService().VerifyPassword("ivan", "ivan-secret-1", Ctx).User.Name.ShouldBe("ivan");

        Run("users", "set-role", "ivan", "head").Exit.ShouldBe(0);
        new UsersService().List(Ctx).Single(u => u.Name == "ivan").Role.ShouldBe(UserRole.Head);
    }

    [Fact]
    public void Reset_password_sets_a_new_one_and_lifts_a_lockout()
    {
        Run("users", "add", "anna", "--role", "admin", "--password-file", dir.Write("p.txt", "first-password")).Exit.ShouldBe(0);
        for (var i = 0; i < UsersService.MaxFailedAttempts; i++)
        {
            Should.Throw<SalesKpiException>(() => new UsersService().VerifyPassword("anna", "wrong", Ctx));
        }

        Should.Throw<SalesKpiException>(() => new UsersService().VerifyPassword("anna", "first-password", Ctx)).Text.Code.ShouldBe("auth.locked");
        Run("users", "list").Out.ShouldContain("locked until");

        Run("users", "reset-password", "anna", "--password-file", dir.Write("q.txt", "second-password")).Exit.ShouldBe(0);
        new UsersService().VerifyPassword("anna", "second-password", Ctx).User.Name.ShouldBe("anna");
        Run("users", "reset-password", "nobody").Err.ShouldContain("There is no user nobody");
        Run("users", "disable", "anna").Err.ShouldContain("last enabled admin");
    }

    [Fact]
    public void A_token_is_printed_once_listed_by_prefix_and_revoked()
    {
        Run("users", "add", "anna", "--role", "manager", "--password-file", dir.Write("p.txt", "anna-password")).Exit.ShouldBe(0);

        var made = Run("users", "token", "anna", "--expires", "30d");
        made.Exit.ShouldBe(0, made.Err);
        var secret = made.Out.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(UsersService.TokenPrefix, StringComparison.Ordinal));
        new UsersService().VerifyToken(secret, Ctx).User.Name.ShouldBe("anna");
        var prefix = secret[..(UsersService.TokenPrefix.Length + 8)];

        var list = Run("users", "token", "anna", "--list");
        list.Out.ShouldContain(prefix);
        list.Out.ShouldContain("active");
        list.Out.ShouldNotContain(secret);

        Run("users", "token", "anna", "--revoke", prefix).Exit.ShouldBe(0);
        Run("users", "token", "anna", "--list").Out.ShouldContain("revoked");
        Should.Throw<SalesKpiException>(() => new UsersService().VerifyToken(secret, Ctx)).Text.Code.ShouldBe("auth.token_invalid");
        Run("users", "token", "anna", "--expires", "soon").Err.ShouldContain("90d");
    }

    [Fact]
    public void Company_totals_for_reps_are_off_until_turned_on()
    {
        Run("users", "reps-see-company-totals").Out.ShouldContain("off");
        Run("users", "reps-see-company-totals", "on").Exit.ShouldBe(0);
        new UsersService().RepsSeeCompanyTotals(Ctx).ShouldBeTrue();
        Run("users", "reps-see-company-totals", "off").Exit.ShouldBe(0);
        new UsersService().RepsSeeCompanyTotals(Ctx).ShouldBeFalse();
        Run("users", "reps-see-company-totals", "maybe").Exit.ShouldBe(1);
    }

    [Fact]
    public void The_russian_messages_come_with_lang_ru()
    {
        Run("users", "add", "petr", "--role", "rep", "--lang", "ru").Err.ShouldContain("владельца в CRM");
    }

    private CliRunner.Result Run(params string[] args) => InProcessCli.Run(dir.Path, [.. args, "--db", dir.Db]);
}

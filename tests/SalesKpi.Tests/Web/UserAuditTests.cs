using SalesKpi.Application;
using SalesKpi.Application.Services;
using SalesKpi.Core;

namespace SalesKpi.Tests.Web;

/// <summary>Changes to users and tokens are audited like every other change.</summary>
public class UserAuditTests(DemoServer server) : IClassFixture<DemoServer>
{
    [SkippableFact]
    public void Every_user_and_token_change_is_recorded_with_its_author_and_never_with_a_secret()
    {
        var ctx = new RequestContext(Language.En, DemoServer.Clock, "chief", server.Db);
        var users = new UsersService();
        var audit = new AuditService();
        var before = audit.List(AuditService.MaxLimit, ctx).Entries.Count;

        users.Add(new AddUserRequest("lena", "rep", "Lena K", "lena-password-1"), ctx);
        users.SetRole("lena", "manager", null, ctx);
        var token = users.CreateToken("lena", null, ctx);
        users.RevokeToken("lena", token.Token.Prefix, ctx);
        users.ResetPassword("lena", "lena-password-2", ctx);
        users.SetDisabled("lena", true, ctx);
        users.SetRepsSeeCompanyTotals(true, ctx);
        Should.Throw<SalesKpiException>(() => users.SetDisabled("nobody-such", true, ctx));

        var added = audit.List(AuditService.MaxLimit, ctx).Entries.Take(audit.List(AuditService.MaxLimit, ctx).Entries.Count - before).Reverse().ToList();
        added.Select(e => e.Action).ShouldBe(["users.add", "users.set_role", "users.token_create", "users.token_revoke", "users.reset_password", "users.disable", "users.reps_see_company_totals"]);
        added.ShouldAllBe(e => e.User == "chief");
        added.Take(6).ShouldAllBe(e => e.Target == "lena");
        added.ShouldAllBe(e => !e.Details.Contains(token.Secret, StringComparison.Ordinal) && !e.Details.Contains("lena-password", StringComparison.Ordinal));
        added[2].Details.ShouldContain(token.Token.Prefix);
    }
}

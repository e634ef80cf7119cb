using FluentAssertions;
using Scoda.Market.Web.Features.Accounts;

namespace Scoda.Market.UnitTests;

public class PasswordTests
{
    [Fact]
    public void Generated_admin_passwords_meet_the_policy_and_differ()
    {
        var passwords = Enumerable.Range(0, 50).Select(_ => CreateAdminCommand.GeneratePassword()).ToList();

        passwords.Should().OnlyHaveUniqueItems();
        passwords.Should().AllSatisfy(p =>
        {
            p.Should().HaveLength(20);
            p.Should().Match(x => x.Any(char.IsUpper) && x.Any(char.IsLower) && x.Any(char.IsDigit));
        });
    }
}

using AutoMapper;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Scoda.Market.Web.Features.Accounts;
using Scoda.Market.Web.Features.Organizations;

namespace Scoda.Market.UnitTests;

public class MappingTests
{
    static IMapper CreateMapper()
    {
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddAutoMapper(_ => { }, typeof(Program).Assembly);
        return services.BuildServiceProvider().GetRequiredService<IMapper>();
    }

    [Fact]
    public void Every_profile_maps_every_member()
    {
        CreateMapper().ConfigurationProvider.AssertConfigurationIsValid();
    }

    [Fact]
    public void An_organization_maps_to_its_response_with_verification_and_members()
    {
        var now = DateTimeOffset.UtcNow;
        var organization = new Organization
        {
            Id = Guid.NewGuid(),
            Name = "Fergana Agro Export LLC",
            CountryCode = "UZ",
            Kind = OrganizationKind.Exporter,
            RegistrationNumber = "305123456",
            CreatedAt = now,
            UpdatedAt = now,
            VerificationStatus = VerificationStatus.Pending,
            VerificationRequestedAt = now,
            Members = [new Membership { UserId = Guid.NewGuid(), Role = OrganizationRole.Owner, CreatedAt = now, User = new User { Email = "dilnoza@fergana.test" } }],
        };

        var response = CreateMapper().Map<OrganizationResponse>(organization);

        response.Verification.Should().Be(new VerificationResponse(VerificationStatus.Pending, null, now, null));
        response.Members.Should().ContainSingle().Which.Email.Should().Be("dilnoza@fergana.test");
        CreateMapper().Map<OrganizationProfile>(organization).Verified.Should().BeFalse();
    }
}

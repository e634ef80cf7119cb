using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Scoda.Market.Web.Data;
using Scoda.Market.Web.Infrastructure.Commands;

namespace Scoda.Market.Web.Features.Accounts;

/// <summary>
/// <c>create-admin &lt;email&gt; [--password-stdin]</c>: gives an account the Admin role, creating it (email confirmed)
/// when it does not exist. Without a password on standard input a strong one is generated and printed once.
/// </summary>
sealed class CreateAdminCommand : IHostCommand
{
    public string Name => "create-admin";
    public string Usage => "create-admin <email> [--password-stdin]";
    public string Summary => "Create an admin account (or make an account admin) and exit.";

    public Task<int> RunAsync(IReadOnlyList<string> args, IServiceProvider services, CancellationToken ct) =>
        RunAsync(args, services, Console.Out, ct);

    /// <summary>Prints to <paramref name="output"/>: tests read the generated password there without swapping the process's console.</summary>
    internal async Task<int> RunAsync(IReadOnlyList<string> args, IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        var email = args.FirstOrDefault(a => a != "--password-stdin");
        if (email is null || !email.Contains('@', StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"Usage: {Usage}");
            return 2;
        }
        await services.GetRequiredService<Migrator>().MigrateAsync(ct);
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();

        var user = await users.FindByEmailAsync(email);
        string? generated = null;
        if (user is null)
        {
            var password = args.Contains("--password-stdin") ? (await Console.In.ReadLineAsync(ct))?.Trim() : null;
            if (string.IsNullOrEmpty(password))
            {
                password = generated = GeneratePassword();
            }
            user = new User { UserName = email, Email = email, EmailConfirmed = true };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                await Console.Error.WriteLineAsync($"Could not create {email}: {Describe(created)}");
                return 1;
            }
        }
        if (!await users.IsInRoleAsync(user, PlatformRoles.Admin))
        {
            var added = await users.AddToRoleAsync(user, PlatformRoles.Admin);
            if (!added.Succeeded)
            {
                await Console.Error.WriteLineAsync($"Could not make {email} an admin: {Describe(added)}");
                return 1;
            }
        }
        await output.WriteLineAsync($"{email} is an admin.");
        if (generated is not null)
        {
            await output.WriteLineAsync($"Generated password (shown once, change it after signing in): {generated}");
        }
        return 0;
    }

    static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    /// <summary>20 characters from an alphabet without look-alikes, with at least one upper, lower and digit.</summary>
    internal static string GeneratePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789";
        const string all = upper + lower + digits;
        var chars = new char[20];
        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        for (var i = 3; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}

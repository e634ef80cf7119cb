using System.Diagnostics;
using FluentAssertions;
using Scoda.Market.Testing;

namespace Scoda.Market.UnitTests;

/// <summary>
/// The web client's own checks (ESLint, Vitest) run inside <c>dotnet test</c>, so CI fails when they fail, while
/// <c>dotnet run</c> stays as fast as before (the web project's build only runs the Vite build).
/// </summary>
public class WebClientChecksTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim Install = new(1, 1);

    [Fact]
    public async Task The_web_client_passes_its_lint()
    {
        var (exitCode, output) = await NpmAsync("run lint");
        exitCode.Should().Be(0, "ESLint reported problems:\n{0}", output);
    }

    [Fact]
    public async Task The_web_client_unit_tests_pass()
    {
        var (exitCode, output) = await NpmAsync("test");
        exitCode.Should().Be(0, "Vitest failed:\n{0}", output);
        output.Should().MatchRegex(@"Tests\s+\d+ passed", "a run that found no test must not count as passing");
    }

    private static async Task<(int ExitCode, string Output)> NpmAsync(string arguments)
    {
        var root = RepositoryFolder.Path("clients", "web");
        if (await RunAsync("node", "--version", root) is not (0, _)) Assert.Skip("node is not installed: the web client's lint and unit tests cannot run");

        // A build with -p:SkipWebClient=true leaves no node_modules; install from the lockfile once.
        await Install.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (!Directory.Exists(Path.Combine(root, "node_modules", "vitest")))
            {
                var (code, output) = await RunAsync("npm", "ci --no-audit --no-fund --loglevel=error", root);
                code.Should().Be(0, "npm ci failed:\n{0}", output);
            }
        }
        finally
        {
            Install.Release();
        }
        return await RunAsync("npm", arguments, root);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NO_COLOR"] = "1";
        start.Environment["FORCE_COLOR"] = "0";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, $"{file} was not found");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(Limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{file} {arguments} did not finish within {Limit}");
            }
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}

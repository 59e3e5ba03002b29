using Xunit;

namespace Archive.Testing.Support;

/// <summary>
/// Server-backed tests call <see cref="Require"/> first. Locally a missing server skips the test with a visible
/// reason; under <c>CI=true</c> (this repository's CI, whose script starts the servers) it fails the test, so a
/// server that should have been started can never turn into a silent green run.
/// </summary>
public static class ServerRequirement
{
    /// <summary>True when running in this repository's CI.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (locally) or fails (in CI) unless <paramref name="available"/>.</summary>
    /// <param name="available">Whether the server is reachable.</param>
    /// <param name="reason">What is missing and how to provide it.</param>
    /// <param name="requiredInCi">False for servers CI cannot start (e.g. Elasticsearch): those skip everywhere.</param>
    public static void Require(bool available, string reason, bool requiredInCi = true)
    {
        if (available)
        {
            return;
        }

        if (IsCi && requiredInCi)
        {
            Assert.Fail("CI=true but the server this test needs is not available: " + reason);
        }

        Assert.Skip(reason);
    }
}

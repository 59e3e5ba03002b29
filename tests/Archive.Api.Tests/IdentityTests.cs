using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Archive.Api.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// A host with its own authentication scheme ("Test"): its principal carries the Archive claims (role, clearance), so
/// the Archive policies accept it; the authenticated user's name and e-mail go into the package version.
/// </summary>
public sealed class AuthenticatedApiFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services
            .AddAuthentication("Test")
            .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>("Test", _ => { }));
    }

    /// <summary>Authorization: Test &lt;percent-encoded name&gt;; e-mail = first letters @example.invalid.</summary>
    private sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Scheme != "Test" || header.Parameter is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var name = Uri.UnescapeDataString(header.Parameter);
            var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.Name, name),
                    new Claim(ClaimTypes.Email, "binh@example.invalid"),
                    new Claim(ClaimTypes.Role, Archive.Security.ArchiveRoles.Administrator),
                    new Claim(Archive.Api.Security.ArchiveClaims.Clearance, Archive.Api.Security.ArchiveClaims.SecretClearance),
                ],
                "Test");
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "Test")));
        }
    }
}

public sealed class IdentityTests(AuthenticatedApiFactory factory) : IClassFixture<AuthenticatedApiFactory>
{
    [Fact]
    public async Task The_authenticated_user_of_the_hosts_own_scheme_is_recorded_in_each_version()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Test", Uri.EscapeDataString("Nguyễn Văn An"));
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode);

        var request = new HttpRequestMessage(HttpMethod.Post, $"{FileUrl(fileCode)}/documents") { Content = Json(new { subject = "Về việc cử cán bộ đi học" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Test", Uri.EscapeDataString("Trần Thị Bình"));
        await client.SendAsync(request, Ct).ExpectAsync(201);

        var history = (await client.GetAsync($"{FileUrl(fileCode)}/history", Ct).ExpectAsync(200)).AsArray();
        Assert.Equal("Nguyễn Văn An", (string?)history[0]!["userName"]);
        Assert.Equal("Trần Thị Bình", (string?)history[1]!["userName"]);
        Assert.Equal("mailto:binh@example.invalid", (string?)history[1]!["userAddress"]);
        var file = await client.GetAsync(FileUrl(fileCode), Ct).ExpectAsync(200);
        Assert.Equal("Trần Thị Bình", (string?)file["modifiedBy"]);

        // Without the host's credentials the write is refused (the host's scheme is the default; no anonymous writes).
        using var anonymous = factory.CreateAnonymousClient();
        await anonymous.PostAsync($"{FileUrl(fileCode)}/documents", Json(new { subject = "x" }), Ct).ExpectAsync(401);
    }
}

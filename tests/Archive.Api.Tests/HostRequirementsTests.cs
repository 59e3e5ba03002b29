using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>A host that forgets a required call fails at <c>MapArchive()</c> (start-up) with a message naming the call.</summary>
public sealed class HostRequirementsTests
{
    [Fact]
    public void Without_authentication_MapArchive_fails_naming_AddArchiveAuthentication()
    {
        var message = MapArchiveError(s =>
        {
            s.AddArchive(o => o.DataPath = Path.GetTempPath()).AddEmbeddedDefaults();
            s.AddArchiveApi();
        });
        Assert.Contains("services.AddArchiveAuthentication(configuration)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("AddArchiveApi", message, StringComparison.Ordinal);
        Assert.DoesNotContain("object store", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_engine_or_its_providers_MapArchive_fails_naming_each_missing_call()
    {
        var noEngine = MapArchiveError(s =>
        {
            s.AddArchiveApi();
            s.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, NoAuthHandler>("Test", _ => { });
        });
        Assert.Contains("services.AddArchive(", noEngine, StringComparison.Ordinal);
        Assert.DoesNotContain("authentication", noEngine, StringComparison.Ordinal);

        var noProviders = MapArchiveError(s =>
        {
            s.AddArchive(o => o.DataPath = Path.GetTempPath());
            s.AddArchiveApi();
            s.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, NoAuthHandler>("Test", _ => { });
        });
        Assert.Contains("an object store: call .AddEmbeddedDefaults()", noProviders, StringComparison.Ordinal);
        Assert.Contains("a search index: call .AddEmbeddedDefaults()", noProviders, StringComparison.Ordinal);

        var noApi = MapArchiveError(s => s.AddArchive(o => o.DataPath = Path.GetTempPath()).AddEmbeddedDefaults());
        Assert.Contains("services.AddArchiveApi()", noApi, StringComparison.Ordinal);
        Assert.Contains("services.AddArchiveAuthentication(configuration)", noApi, StringComparison.Ordinal);
    }

    [Fact]
    public void A_complete_host_maps_the_endpoints()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddArchive(o => o.DataPath = Path.GetTempPath()).AddEmbeddedDefaults();
        builder.Services.AddArchiveApi();
        builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, NoAuthHandler>("Test", _ => { });
        using var app = builder.Build();
        Assert.NotNull(app.MapGroup("/api").MapArchive());
    }

    private static string MapArchiveError(Action<IServiceCollection> register)
    {
        var builder = WebApplication.CreateSlimBuilder();
        register(builder.Services);
        using var app = builder.Build();
        return Assert.Throws<InvalidOperationException>(() => app.MapGroup("/api").MapArchive()).Message;
    }

    private sealed class NoAuthHandler(Microsoft.Extensions.Options.IOptionsMonitor<AuthenticationSchemeOptions> options, Microsoft.Extensions.Logging.ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Archive.Testing.DependencyInjection;

/// <summary>
/// The contract of a provider's registration on <see cref="IArchiveBuilder"/> (e.g. <c>.AddMinioStorage(...)</c>),
/// run for every provider: after <c>services.AddArchive(...)</c> the provider's registration makes
/// <typeparamref name="TContract"/> resolve as <typeparamref name="TProvider"/>, as a singleton; it wins over the
/// embedded defaults and over an earlier registration whatever the order; its options are validated at start-up with
/// a message naming the bad option; resolving needs no server; and a client the host registered is used.
/// </summary>
/// <typeparam name="TContract">The contract the provider implements: <c>IObjectStore</c>, <c>ISearchIndex</c>, <c>ITextRecognizer</c>...</typeparam>
/// <typeparam name="TProvider">The provider's type.</typeparam>
/// <remarks>
/// Model: semantic-kernel's <c>VectorData.ConformanceTests/DependencyInjectionTests.cs</c>. The suite never starts a
/// host: it builds the container (with <see cref="ServiceProviderOptions.ValidateOnBuild"/>) and runs the start-up
/// validators the host would run (<see cref="IStartupValidator"/>).
/// </remarks>
public abstract class RegistrationConformanceTests<TContract, TProvider> : IDisposable
    where TContract : class
    where TProvider : class, TContract
{
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>A temporary folder for the test (deleted afterwards), e.g. for <c>ArchiveOptions.DataPath</c>.</summary>
    protected string DataPath { get; } = Path.Combine(Path.GetTempPath(), "archive-di-tests", Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Registers the engine with its embedded defaults — <c>services.AddArchive(o => o.DataPath = DataPath)</c> — and
    /// returns its builder.
    /// </summary>
    protected abstract IArchiveBuilder AddArchive(IServiceCollection services);

    /// <summary>
    /// Registers the provider on <paramref name="builder"/> with valid options. For a server-backed provider the address
    /// must point nowhere reachable (e.g. <c>127.0.0.1:9</c>): nothing may connect merely to register or resolve.
    /// </summary>
    protected abstract void AddProvider(IArchiveBuilder builder);

    /// <summary>Registers the provider with one invalid option, and returns that option's name (the start-up message must contain it).</summary>
    protected abstract string AddProviderWithInvalidOption(IArchiveBuilder builder);

    /// <summary>
    /// Whether <typeparamref name="TContract"/> is a collection contract (several providers side by side, resolved with
    /// <c>GetServices</c>, e.g. text recognizers) rather than one replaceable service. Default false.
    /// </summary>
    protected virtual bool IsCollectionContract => false;

    /// <summary>
    /// Registers a client of the host's own (e.g. <c>IMinioClient</c>, <c>ElasticsearchClient</c>) in
    /// <paramref name="services"/> and returns it; <see langword="null"/> (the default) when the provider takes no
    /// client from the container (the test skips).
    /// </summary>
    protected virtual object? AddHostClient(IServiceCollection services) => null;

    /// <summary>Registers the provider with options that hold no connection settings (they come with the host's client).</summary>
    protected virtual void AddProviderForHostClient(IArchiveBuilder builder) => AddProvider(builder);

    /// <summary>Asserts that <paramref name="provider"/> works through <paramref name="client"/> (the host's client).</summary>
    protected virtual ValueTask AssertUsesHostClientAsync(TProvider provider, object client)
        => throw new NotSupportedException("Override AssertUsesHostClientAsync when AddHostClient registers a client.");

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Builds the container as a host would (scopes and registrations validated); disposed after the test.</summary>
    protected ServiceProvider Build(IServiceCollection services)
    {
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _providers.Add(provider);
        return provider;
    }

    /// <summary>Runs the start-up validation a host runs before it starts (options registered with <c>ValidateOnStart</c>).</summary>
    protected static void ValidateOnStart(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetService<IStartupValidator>()?.Validate();
    }

    private TContract Resolve(IServiceProvider services)
        => IsCollectionContract
            ? Assert.Single(services.GetServices<TContract>(), s => s is TProvider)
            : services.GetRequiredService<TContract>();

    // ---------------------------------------------------------------- resolution

    /// <summary>The contract resolves as the provider's type, one instance per container (singleton).</summary>
    [Fact]
    public void The_contract_resolves_as_the_provider_once_per_container()
    {
        var services = new ServiceCollection();
        AddProvider(AddArchive(services));
        using var provider = Build(services);
        ValidateOnStart(provider);

        var first = Assert.IsType<TProvider>(Resolve(provider));
        Assert.Same(first, Resolve(provider));
        using (var scope = provider.CreateScope())
        {
            Assert.Same(first, Resolve(scope.ServiceProvider));
        }

        Assert.All(services.Where(d => d.ServiceType == typeof(TContract)), d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
    }

    /// <summary>The provider wins over the engine's embedded defaults and over an earlier registration, whatever the order.</summary>
    [Fact]
    public void The_last_registration_wins_over_defaults_whatever_the_order()
    {
        // Provider after the engine's defaults.
        var services = new ServiceCollection();
        AddProvider(AddArchive(services));
        using (var provider = Build(services))
        {
            Assert.IsType<TProvider>(Resolve(provider));
        }

        // Provider first, engine (defaults with TryAdd) afterwards: the provider still wins.
        var reversed = new ServiceCollection();
        var early = new EarlyBuilder(reversed);
        AddProvider(early);
        AddArchive(reversed);
        using (var provider = Build(reversed))
        {
            Assert.IsType<TProvider>(Resolve(provider));
        }

        // Registering the provider twice leaves one of it.
        var twice = new ServiceCollection();
        var builder = AddArchive(twice);
        AddProvider(builder);
        AddProvider(builder);
        using (var provider = Build(twice))
        {
            if (IsCollectionContract)
            {
                Assert.Single(provider.GetServices<TContract>(), s => s is TProvider);
            }
            else
            {
                Assert.IsType<TProvider>(provider.GetRequiredService<TContract>());
            }
        }
    }

    /// <summary>Registering and resolving needs no server: nothing connects before the first call.</summary>
    [Fact]
    public void Registering_and_resolving_need_no_server()
    {
        var watch = Stopwatch.StartNew();
        var services = new ServiceCollection();
        AddProvider(AddArchive(services));
        using var provider = Build(services);
        ValidateOnStart(provider);
        Assert.IsType<TProvider>(Resolve(provider));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Registering and resolving took {watch.Elapsed}: something waited for a server.");
    }

    // ---------------------------------------------------------------- options

    /// <summary>A bad option fails at start-up (not at first use) with a message naming it.</summary>
    [Fact]
    public void A_bad_option_fails_at_start_up_naming_the_option()
    {
        var services = new ServiceCollection();
        var option = AddProviderWithInvalidOption(AddArchive(services));
        Assert.False(string.IsNullOrWhiteSpace(option));
        using var provider = Build(services);

        var error = Assert.Throws<OptionsValidationException>(() => ValidateOnStart(provider));
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Valid options pass start-up validation.</summary>
    [Fact]
    public void Valid_options_pass_start_up_validation()
    {
        var services = new ServiceCollection();
        AddProvider(AddArchive(services));
        using var provider = Build(services);
        ValidateOnStart(provider);
    }

    // ---------------------------------------------------------------- host client

    /// <summary>A client the host registered is used, and the connection options are then not needed.</summary>
    [Fact]
    public async Task A_client_registered_by_the_host_is_used()
    {
        var services = new ServiceCollection();
        var client = AddHostClient(services);
        if (client is null)
        {
            Assert.Skip($"{typeof(TProvider).Name} takes no client from the container.");
        }

        AddProviderForHostClient(AddArchive(services));
        using var provider = Build(services);
        ValidateOnStart(provider);
        var resolved = Assert.IsType<TProvider>(Resolve(provider));
        await AssertUsesHostClientAsync(resolved, client);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the containers built by the test and deletes <see cref="DataPath"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        try
        {
            if (Directory.Exists(DataPath))
            {
                Directory.Delete(DataPath, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A builder over a collection the engine is not registered on yet (the provider registered first).</summary>
    private sealed class EarlyBuilder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

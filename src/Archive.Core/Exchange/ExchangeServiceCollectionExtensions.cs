using Archive;
using Archive.Exchange;
using Archive.Handover;
using Archive.Hosting;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Security;
using Archive.Transfer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the package exchange (handover, transfer, receipt and accession as jobs) on top of <c>AddArchive</c>.</summary>
public static class ExchangeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PackageExchangeService"/>, its background <see cref="PackageExchangeWorker"/> and
    /// <see cref="PackageSeals"/>, with <see cref="ExchangeOptions"/> validated at start-up (bind <c>Archive:Exchange</c>
    /// with <paramref name="configure"/> or <c>services.Configure&lt;ExchangeOptions&gt;</c>). Handover jobs need
    /// <c>.AddReorganisation()</c>, transfer and accession jobs <c>.AddTransfer()</c>; a job whose service is missing is
    /// refused with a message naming the call.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddArchive</c>.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static IArchiveBuilder AddPackageExchange(this IArchiveBuilder builder, Action<ExchangeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptionsWithValidateOnStart<ExchangeOptions, ExchangeOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<PackageSeals>();
        services.TryAddSingleton(sp => new PackageExchangeService(
            sp.GetRequiredService<IOptions<ArchiveOptions>>(),
            sp.GetRequiredService<IOptions<ExchangeOptions>>(),
            sp.GetRequiredService<PackageSeals>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<IArchiveAccessPolicy>(),
            RequiredServices.ObjectStore(sp),
            sp.GetRequiredService<StorageLeases>(),
            sp.GetService<HandoverService>(),
            sp.GetService<TransferService>(),
            sp.GetService<AccessionService>(),
            sp.GetService<ReorganisationService>(),
            sp.GetService<Archive.Audit.IAuditTrail>(),
            sp.GetService<ILogger<PackageExchangeService>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PackageExchangeWorker>(sp => new PackageExchangeWorker(
            sp.GetRequiredService<PackageExchangeService>(),
            sp.GetService<ILogger<PackageExchangeWorker>>())));
        return builder;
    }
}

using System.Reflection;
using Xunit;

namespace Archive.Testing.Support;

/// <summary>
/// Guard against a provider silently skipping a conformance suite: every abstract suite in a namespace of this
/// assembly (e.g. <c>Archive.Testing.Storage</c>) must have a concrete subclass in the provider's test
/// assembly. Each provider test project calls this once for the contract it implements.
/// </summary>
public static class SuiteCoverage
{
    /// <summary>The object store suites (<c>IObjectStore</c>).</summary>
    public const string Storage = "Archive.Testing.Storage";

    /// <summary>The package store suites (<c>IPackageStore</c>).</summary>
    public const string Packages = "Archive.Testing.Packages";

    /// <summary>The search index suites (<c>ISearchIndex</c>).</summary>
    public const string Search = "Archive.Testing.Search";

    /// <summary>The audit log suites (<c>IAuditLog</c>, <c>IAuditTrail</c>).</summary>
    public const string Audit = "Archive.Testing.Audit";

    /// <summary>The text recognizer suites (<c>ITextRecognizer</c>).</summary>
    public const string Recognition = "Archive.Testing.Recognition";

    /// <summary>The DI-registration suites (a provider's <c>IArchiveBuilder</c> extension).</summary>
    public const string DependencyInjection = "Archive.Testing.DependencyInjection";

    /// <summary>Every namespace of this kit that holds suites.</summary>
    public static IReadOnlyList<string> All { get; } = [Storage, Packages, Search, Audit, Recognition, DependencyInjection];

    /// <summary>Fails listing every suite in <paramref name="suiteNamespace"/> that <paramref name="providerTests"/> does not subclass.</summary>
    public static void AssertEverySuiteImplemented(Assembly providerTests, string suiteNamespace)
    {
        ArgumentNullException.ThrowIfNull(providerTests);
        var suites = typeof(SuiteCoverage).Assembly.GetTypes()
            .Where(t => t.IsClass && t.IsAbstract && !t.IsSealed && t.IsPublic && t.Namespace == suiteNamespace)
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .ToList();
        Assert.True(suites.Count > 0, $"No conformance suite in namespace '{suiteNamespace}' (known: {string.Join(", ", All)}).");
        var concrete = providerTests.GetTypes().Where(t => t.IsClass && !t.IsAbstract).ToList();
        var missing = suites.Where(s => !concrete.Any(c => IsSubclassOfGeneric(c, s))).Select(s => s.Name).ToList();
        Assert.True(missing.Count == 0, $"{providerTests.GetName().Name} does not run the conformance suites: {string.Join(", ", missing)}");
    }

    private static bool IsSubclassOfGeneric(Type type, Type suite)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
        {
            var candidate = t.IsGenericType ? t.GetGenericTypeDefinition() : t;
            if (candidate == suite)
            {
                return true;
            }
        }

        return false;
    }
}

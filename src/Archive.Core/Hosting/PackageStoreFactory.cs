using Archive.Packages;
using Archive.Storage;

namespace Archive.Hosting;

/// <summary>
/// Creates the package store of one storage root (e.g. <c>ocfl/files</c>) over the object store. The default is
/// <see cref="OcflPackageStore"/>; register another with <c>services.Replace(...)</c> to change the package format.
/// Crash recovery and fixity are part of <see cref="IPackageStore"/>, so the engine runs them on whatever store the
/// factory makes; destruction needs the <see cref="IPackagePurger"/> capability (disposition refuses without it).
/// </summary>
/// <param name="objects">The object store.</param>
/// <param name="root">The storage root's key prefix.</param>
public delegate IPackageStore PackageStoreFactory(IObjectStore objects, string root);

using System.Runtime.InteropServices;

namespace MiniBioBert.Training.Distributed;

/// <summary>
/// The few calls of the MPI C API that data-parallel training needs, bound at run time to Open MPI's
/// <c>libmpi.so.40</c> (Debian's <c>libopenmpi3</c>, installed with <c>openmpi-bin</c>). Nothing is loaded until
/// <see cref="InitThread"/>, so a machine without Open MPI runs everything else.
/// <para>
/// Open MPI's ABI: <c>MPI_Comm</c>, <c>MPI_Datatype</c> and <c>MPI_Op</c> are pointers, and the predefined handles
/// (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, …) are the addresses of global objects
/// (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>, <c>ompi_mpi_op_sum</c>; see <c>mpi.h</c>), which
/// <see cref="NativeLibrary.GetExport"/> returns. Every call returns an error code, but MPI's default error handler
/// (<c>MPI_ERRORS_ARE_FATAL</c>) aborts the whole job before a failing call could return one; a code other than
/// <c>MPI_SUCCESS</c> is still turned into an exception, in case a user set another handler.
/// </para>
/// <para>
/// Only the thread that called <see cref="InitThread"/> may call MPI (<c>MPI_THREAD_FUNNELED</c>): the training
/// loop's thread. The kernels' worker threads never do.
/// </para>
/// </summary>
internal static unsafe partial class Mpi
{
    /// <summary>Open MPI's shared library (the SONAME of Open MPI 3 and 4).</summary>
    public const string LibraryName = "libmpi.so.40";

    /// <summary><c>MPI_THREAD_FUNNELED</c>: threads exist, only the main one calls MPI.</summary>
    private const int ThreadFunneled = 1;

    private const int Success = 0;

    // dlopen's flags (glibc): resolve every symbol now, and make them visible to libraries opened later.
    private const int RtldNow = 0x2, RtldGlobal = 0x100;

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string file, int flags);

    private static nint _commWorld, _float, _double, _byte, _sum;
    private static delegate* unmanaged<int*, byte***, int, int*, int> _initThread;
    private static delegate* unmanaged<nint, int*, int> _commRank;
    private static delegate* unmanaged<nint, int*, int> _commSize;
    private static delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
    private static delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
    private static delegate* unmanaged<nint, int> _barrier;
    private static delegate* unmanaged<int> _finalize;

    /// <summary><c>MPI_IN_PLACE</c>: the send buffer is the receive buffer.</summary>
    private static void* InPlace => (void*)1;

    /// <summary>
    /// Loads Open MPI and calls <c>MPI_Init_thread</c> asking for <c>MPI_THREAD_FUNNELED</c>. Throws
    /// <see cref="InvalidOperationException"/> naming the library when it is missing, or when MPI grants less.
    /// </summary>
    public static void InitThread()
    {
        // RTLD_GLOBAL matters: Open MPI's plugins (mca_*.so) are opened later and look up libmpi's symbols globally.
        nint library = DlOpen(LibraryName, RtldNow | RtldGlobal);
        if (library == 0)
        {
            throw new InvalidOperationException($"{LibraryName} (Open MPI) could not be loaded: install openmpi-bin (apt-get install openmpi-bin).");
        }
        _commWorld = NativeLibrary.GetExport(library, "ompi_mpi_comm_world");
        _float = NativeLibrary.GetExport(library, "ompi_mpi_float");
        _double = NativeLibrary.GetExport(library, "ompi_mpi_double");
        _byte = NativeLibrary.GetExport(library, "ompi_mpi_byte");
        _sum = NativeLibrary.GetExport(library, "ompi_mpi_op_sum");
        _initThread = (delegate* unmanaged<int*, byte***, int, int*, int>)NativeLibrary.GetExport(library, "MPI_Init_thread");
        _commRank = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)NativeLibrary.GetExport(library, "MPI_Comm_size");
        _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)NativeLibrary.GetExport(library, "MPI_Allreduce");
        _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)NativeLibrary.GetExport(library, "MPI_Bcast");
        _barrier = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "MPI_Barrier");
        _finalize = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "MPI_Finalize");

        int provided;
        Check(_initThread(null, null, ThreadFunneled, &provided), "MPI_Init_thread");
        if (provided < ThreadFunneled)
        {
            throw new InvalidOperationException($"MPI_Init_thread granted thread level {provided}, below MPI_THREAD_FUNNELED.");
        }
    }

    /// <summary>This process's rank in <c>MPI_COMM_WORLD</c>: 0 … <see cref="Size"/> − 1.</summary>
    public static int Rank()
    {
        int rank;
        Check(_commRank(_commWorld, &rank), "MPI_Comm_rank");
        return rank;
    }

    /// <summary>The number of processes in <c>MPI_COMM_WORLD</c>.</summary>
    public static int Size()
    {
        int size;
        Check(_commSize(_commWorld, &size), "MPI_Comm_size");
        return size;
    }

    /// <summary><c>MPI_Allreduce(MPI_IN_PLACE, values, …, MPI_FLOAT, MPI_SUM)</c>: every rank ends with the element-wise sum over all ranks.</summary>
    public static void AllReduceSum(Span<float> values)
    {
        fixed (float* pointer = values)
        {
            Check(_allreduce(InPlace, pointer, values.Length, _float, _sum, _commWorld), "MPI_Allreduce");
        }
    }

    /// <summary>The same sum over doubles (<c>MPI_DOUBLE</c>): for metrics, whose sums must not lose digits.</summary>
    public static void AllReduceSum(Span<double> values)
    {
        fixed (double* pointer = values)
        {
            Check(_allreduce(InPlace, pointer, values.Length, _double, _sum, _commWorld), "MPI_Allreduce");
        }
    }

    /// <summary><c>MPI_Bcast</c> of floats: every rank ends with rank <paramref name="root"/>'s values.</summary>
    public static void Broadcast(Span<float> values, int root)
    {
        fixed (float* pointer = values)
        {
            Check(_bcast(pointer, values.Length, _float, root, _commWorld), "MPI_Bcast");
        }
    }

    /// <summary><c>MPI_Bcast</c> of bytes.</summary>
    public static void Broadcast(Span<byte> values, int root)
    {
        fixed (byte* pointer = values)
        {
            Check(_bcast(pointer, values.Length, _byte, root, _commWorld), "MPI_Bcast");
        }
    }

    /// <summary><c>MPI_Barrier</c>: returns when every rank has called it.</summary>
    public static void Barrier() => Check(_barrier(_commWorld), "MPI_Barrier");

    /// <summary><c>MPI_Finalize</c> (named End: C# reserves Finalize for destructors): the last MPI call of a process that ends well.</summary>
    public static void End() => Check(_finalize(), "MPI_Finalize");

    private static void Check(int code, string call)
    {
        if (code != Success)
        {
            throw new InvalidOperationException($"{call} failed with MPI error code {code}.");
        }
    }
}

/** Types for the parts of @echogarden/fvad-wasm (an Emscripten build of libfvad) the bench uses. */
declare module '@echogarden/fvad-wasm' {
  export interface FvadModule {
    HEAP16: Int16Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _fvad_new(): number;
    _fvad_free(inst: number): void;
    _fvad_reset(inst: number): void;
    /** 0..3; returns 0 on success. */
    _fvad_set_mode(inst: number, mode: number): number;
    /** 8000/16000/32000/48000; returns 0 on success. */
    _fvad_set_sample_rate(inst: number, rate: number): number;
    /** 1 speech, 0 not, -1 invalid frame length. */
    _fvad_process(inst: number, framePtr: number, length: number): number;
  }
  const createFvad: (options?: object) => Promise<FvadModule>;
  export default createFvad;
}

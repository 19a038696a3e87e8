/** Face analysis for the digital human: see docs/face-analysis.md. */
export { analyzePortrait, DETECTION_LONG_SIDE, type AnalyzePortraitOptions } from './analyze-portrait.ts';
export { chooseFace, MAX_YAW_DEGREES, MIN_EYE_WIDTH_RATIO, MIN_FACE_PIXELS, profileView, type ProfileView } from './face-checks.ts';
export { FACE_MESH_POINT_COUNT, FACE_PARTS, type FacePart } from './face-parts.ts';
export { FACE_MAX_DETECTED, FACE_MIN_CONFIDENCE } from './human-loader.ts';
export { FACE_MESH_TRIANGLES, faceMeshTriangles } from './triangulation.ts';

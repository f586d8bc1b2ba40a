/** The modes of the built-in plugins in plugins/. */
export const BUILTIN_MODES = [
  'audio_speech', 'audio_transcription', 'batch', 'chat', 'completion', 'embedding', 'image_edit',
  'image_generation', 'models_list', 'moderation', 'ocr', 'realtime', 'rerank', 'responses',
  'video_generation',
];
